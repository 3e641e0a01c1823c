namespace DeepMD.Sharp.Gpu;

using ILGPU;

/// <summary>
/// Everything the se_e2_a kernels read and write for one chunk of atoms, passed as one kernel argument.
/// Slot-indexed arrays are [chunk atom][Σsel slot][…] row-major; storage is in <typeparamref name="T"/>,
/// arithmetic in double.
/// </summary>
public struct SeAKernelParams<T> where T : unmanaged
{
    // Model (uploaded once).
    /// <summary>All network weights, biases and idt vectors, concatenated.</summary>
    public ArrayView<T> Weights;
    /// <summary>Per layer: <see cref="DeviceNetworks.LayerFields"/> ints (sizes, offsets, activation, residual, scratch offsets).</summary>
    public ArrayView<int> Layers;
    /// <summary>Per network: first layer, layer count.</summary>
    public ArrayView<int> Nets;
    /// <summary>Embedding network index per (center type, neighbor type).</summary>
    public ArrayView<int> EmbeddingNet;
    /// <summary>Table index per network (−1: evaluate the network).</summary>
    public ArrayView<int> TableOf;
    /// <summary>Per table: lower, upper, max, stride0, stride1, first-stride count, spline count, data offset, channels.</summary>
    public ArrayView<double> TableInfo;
    /// <summary>Quintic coefficients of all tables, [interval][channel][6].</summary>
    public ArrayView<double> TableData;
    /// <summary>Fitting network index per center type.</summary>
    public ArrayView<int> FittingNet;
    /// <summary>davg per (center type, neighbor type, component).</summary>
    public ArrayView<double> Mean;
    /// <summary>1/dstd per (center type, neighbor type, component).</summary>
    public ArrayView<double> InvStd;
    /// <summary>Embedding G of a padded slot per (center type, neighbor type), [types²][M1].</summary>
    public ArrayView<double> PadG;
    /// <summary>Normalised row −davg/dstd of a padded slot per (center type, neighbor type), [types²][4].</summary>
    public ArrayView<double> PadR;
    /// <summary>Neighbor type of each slot, [Σsel].</summary>
    public ArrayView<int> SlotType;

    // Chunk inputs.
    /// <summary>Center type, or −1 for an atom whose energy is excluded.</summary>
    public ArrayView<int> CenterType;
    /// <summary>Padded (or pair-excluded) slots per (chunk atom, neighbor type).</summary>
    public ArrayView<int> PadCount;
    /// <summary>1: real neighbor; 0: padding (counted in PadCount, no per-slot work); 2: se_r excluded neighbor (s = 0,
    /// embedded, no gradient); −1: contributes nothing.</summary>
    public ArrayView<int> SlotFlag;
    /// <summary>Displacement d = r_j − r_i per slot, Å, [slot][3].</summary>
    public ArrayView<T> SlotD;
    /// <summary>Fitting-net inputs after the descriptor (fparam, aparam, case embedding), [atom][TailLength].</summary>
    public ArrayView<T> Tail;

    // Chunk intermediates and outputs. G, Gp and EmbScratch are feature-major: [feature][SlotCapacity].
    public ArrayView<T> Rt;
    public ArrayView<T> G;
    public ArrayView<T> Gp;
    public ArrayView<T> EmbScratch;
    public ArrayView<T> TMat;
    public ArrayView<T> DT;
    public ArrayView<T> FitScratch;
    /// <summary>Fitting-net output per atom (without the per-type bias).</summary>
    public ArrayView<T> Energy;
    /// <summary>Pair gradient ∂e_i/∂d per slot, [slot][3].</summary>
    public ArrayView<T> PairGradient;

    // Sizes and constants.
    /// <summary>Slots the chunk buffers hold (chunk capacity × Σsel): the stride of the feature-major arrays.</summary>
    public long SlotCapacity;
    public int TypeCount;
    public int Nnei;
    public int M1;
    public int M2;
    public int EmbWidth;
    public int FitScratchStride;
    public int FitWidth;
    public int TailLength;
    /// <summary>1 for se_e2_r (radial rows, descriptor = mean embedding × 1/5), 0 for se_e2_a.</summary>
    public int Radial;
    public double Rcut;
    public double RcutSmooth;
    public double Protection;
}
