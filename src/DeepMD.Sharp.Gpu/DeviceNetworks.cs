namespace DeepMD.Sharp.Gpu;

using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// Networks and tables flattened for the device: one weight array, a layer table and a network table, plus the
/// per-layer offsets the fitting kernel uses to keep activations for its backward pass.
/// </summary>
public sealed class DeviceNetworks
{
    /// <summary>Ints per layer: in, out, weight offset, bias offset (−1), idt offset (−1), activation, residual kind,
    /// input offset, pre-activation offset, output offset (the last three inside a fitting atom's scratch).</summary>
    public const int LayerFields = 10;

    /// <summary>Ints per table in <see cref="TableInfo"/>.</summary>
    public const int TableFields = 9;

    private readonly List<double> _weights = [];
    private readonly List<int> _layers = [];
    private readonly List<int> _nets = [];
    private readonly List<double> _tableInfo = [];
    private readonly List<double> _tableData = [];
    private readonly List<int> _tableOf = [];

    /// <summary>Widest layer input or output over every network added.</summary>
    public int MaxWidth { get; private set; } = 1;

    /// <summary>Largest fitting scratch (activations and pre-activations) per atom, in values.</summary>
    public int MaxActivationFloats { get; private set; }

    public double[] Weights => _weights.ToArray();

    public int[] Layers => _layers.ToArray();

    public int[] Nets => _nets.ToArray();

    public int[] TableOf => _tableOf.ToArray();

    public double[] TableInfo => _tableInfo.Count == 0 ? [0] : _tableInfo.ToArray();

    public double[] TableData => _tableData.Count == 0 ? [0] : _tableData.ToArray();

    /// <summary>Adds a network (and optionally its table); returns its index.</summary>
    public int Add(NeuralNetwork net, EmbeddingTable? table = null)
    {
        if (net.Layers.Any(l => !IsSupported(l.Activation.Kind)))
            throw new ArgumentException($"activation not supported on the GPU backend");
        var index = _nets.Count / 2;
        _nets.Add(_layers.Count / LayerFields);
        _nets.Add(net.Layers.Count);
        var offset = 0;
        foreach (var layer in net.Layers)
        {
            var w = _weights.Count;
            _weights.AddRange(layer.Weights);
            var b = -1;
            if (layer.Bias is { } bias) { b = _weights.Count; _weights.AddRange(bias); }
            var idt = -1;
            if (layer.Timestep is { } ts) { idt = _weights.Count; _weights.AddRange(ts); }
            var xOff = offset;
            var zOff = xOff + layer.InputSize;
            var yOff = zOff + layer.OutputSize;
            offset = yOff;
            _layers.AddRange([layer.InputSize, layer.OutputSize, w, b, idt, (int)layer.Activation.Kind, layer.ResidualKind, xOff, zOff, yOff]);
            MaxWidth = Math.Max(MaxWidth, Math.Max(layer.InputSize, layer.OutputSize));
        }
        MaxActivationFloats = Math.Max(MaxActivationFloats, offset + net.OutputSize);
        if (table is null)
        {
            _tableOf.Add(-1);
        }
        else
        {
            _tableOf.Add(_tableInfo.Count / TableFields);
            var firstStride = (long)Math.Floor((table.Upper - table.Lower) / table.Stride0);
            _tableInfo.AddRange([table.Lower, table.Upper, table.TableMax, table.Stride0, table.Stride1, firstStride, table.SplineCount, _tableData.Count, table.Channels]);
            _tableData.AddRange(table.Data);
        }
        return index;
    }

    /// <summary>Whether the kernels implement this activation.</summary>
    public static bool IsSupported(ActivationKind kind) => kind is not ActivationKind.SiluT;
}
