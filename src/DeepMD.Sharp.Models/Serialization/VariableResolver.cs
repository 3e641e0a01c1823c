namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using PureHDF;

/// <summary>
/// Replaces the dataset paths that a <c>.dp</c> file's JSON holds below <c>@variables</c> keys by the datasets'
/// contents, as DeePMD-kit's <c>load_dp_model</c> does with <c>traverse_model_dict</c>.
/// </summary>
internal sealed class VariableResolver
{
    private readonly IH5Group _file;
    private readonly string _path;

    public VariableResolver(IH5Group file, string path)
    {
        _file = file;
        _path = path;
    }

    public void Resolve(object? node, string keyPath, bool isVariable)
    {
        switch (node)
        {
            case Dictionary<string, object?> dict:
                foreach (var key in dict.Keys.ToList())
                {
                    var childPath = keyPath.Length == 0 ? key : keyPath + "/" + key;
                    var childIsVariable = isVariable || key == "@variables";
                    if (dict[key] is string s && childIsVariable) dict[key] = Read(s, childPath);
                    else Resolve(dict[key], childPath, childIsVariable);
                }
                break;
            case List<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    var childPath = keyPath + "/" + i.ToString(CultureInfo.InvariantCulture);
                    if (list[i] is string s && isVariable) list[i] = Read(s, childPath);
                    else Resolve(list[i], childPath, isVariable);
                }
                break;
        }
    }

    private NdArray Read(string datasetPath, string keyPath)
    {
        if (datasetPath.Length == 0 || !_file.LinkExists(datasetPath))
        {
            throw new UserInputException(
                $"key '{keyPath}' refers to dataset '{datasetPath}', which is not in the file; the file is incomplete or corrupted",
                _path);
        }
        if (_file.Get(datasetPath) is not IH5Dataset ds)
            throw new UserInputException($"key '{keyPath}' refers to '{datasetPath}', which is not a dataset", _path);
        return ReadDataset(ds, datasetPath, keyPath);
    }

    private NdArray ReadDataset(IH5Dataset ds, string datasetPath, string keyPath)
    {
        var space = ds.Space;
        int[] shape;
        switch (space.Type)
        {
            case H5DataspaceType.Scalar:
                shape = [];
                break;
            case H5DataspaceType.Simple:
                shape = new int[space.Dimensions.Length];
                for (var i = 0; i < shape.Length; i++)
                {
                    if (space.Dimensions[i] > (ulong)Array.MaxLength) throw Bad($"has an impossible dimension {space.Dimensions[i]}");
                    shape[i] = (int)space.Dimensions[i];
                }
                break;
            default:
                throw Bad("has no data (null dataspace)");
        }
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count > Array.MaxLength) throw Bad($"is too large ({count} elements)");

        var type = ds.Type;
        string dtype;
        double[] data;
        switch (type.Class)
        {
            case H5DataTypeClass.FloatingPoint when type.Size == 8:
                dtype = "float64";
                data = ds.Read<double[]>();
                break;
            case H5DataTypeClass.FloatingPoint when type.Size == 4:
                dtype = "float32";
                data = Widen(ds.Read<float[]>());
                break;
            case H5DataTypeClass.FixedPoint:
                (dtype, data) = ReadInteger(ds, type.Size, type.FixedPoint.IsSigned)
                    ?? throw Bad($"has an unsupported {type.Size}-byte integer type");
                break;
            case H5DataTypeClass.Enumerated when type.Size == 1:
                // h5py stores numpy bool as an enumeration FALSE = 0, TRUE = 1.
                dtype = "bool";
                data = Array.ConvertAll(ds.Read<byte[]>(), b => b != 0 ? 1.0 : 0.0);
                break;
            default:
                throw Bad($"has an unsupported element type (HDF5 class {type.Class}, {type.Size} bytes); "
                          + $"supported: {string.Join(", ", DTypes.Supported)}");
        }
        if (data.Length != count) throw Bad($"holds {data.Length} values but its shape [{string.Join(",", shape)}] needs {count}");
        return new NdArray(dtype, shape, data);

        UserInputException Bad(string what) =>
            new($"dataset '{datasetPath}' (key '{keyPath}') {what}", _path);
    }

    private static (string, double[])? ReadInteger(IH5Dataset ds, int size, bool signed) => (size, signed) switch
    {
        (8, true) => ("int64", Array.ConvertAll(ds.Read<long[]>(), v => (double)v)),
        (4, true) => ("int32", Array.ConvertAll(ds.Read<int[]>(), v => (double)v)),
        (2, true) => ("int16", Array.ConvertAll(ds.Read<short[]>(), v => (double)v)),
        (1, true) => ("int8", Array.ConvertAll(ds.Read<sbyte[]>(), v => (double)v)),
        (8, false) => ("uint64", Array.ConvertAll(ds.Read<ulong[]>(), v => (double)v)),
        (4, false) => ("uint32", Array.ConvertAll(ds.Read<uint[]>(), v => (double)v)),
        (2, false) => ("uint16", Array.ConvertAll(ds.Read<ushort[]>(), v => (double)v)),
        (1, false) => ("uint8", Array.ConvertAll(ds.Read<byte[]>(), v => (double)v)),
        _ => null,
    };

    private static double[] Widen(float[] values)
    {
        var d = new double[values.Length];
        for (var i = 0; i < values.Length; i++) d[i] = values[i];
        return d;
    }
}
