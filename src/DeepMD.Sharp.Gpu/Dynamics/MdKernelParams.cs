namespace DeepMD.Sharp.Gpu.Dynamics;

using ILGPU;

/// <summary>What the device integrator kernels read and write.</summary>
public struct MdKernelParams
{
    public ArrayView<double> X, Y, Z, Vx, Vy, Vz, Fx, Fy, Fz;
    /// <summary>Mass per atom (mass units).</summary>
    public ArrayView<double> Mass;
    /// <summary>Positions at the last neighbor build.</summary>
    public ArrayView<double> X0, Y0, Z0;
    /// <summary>Lattice rows H (9) then H⁻¹ (9).</summary>
    public ArrayView<double> Geometry;
    /// <summary>Lattice vectors each atom has been wrapped by (its image flags, as LAMMPS' image counts).</summary>
    public ArrayView<int> ImageA, ImageB, ImageC;
    /// <summary>[0]: set to 1 when some atom moved more than half the skin since the last build.</summary>
    public ArrayView<int> Moved;
    /// <summary>Per atom energy and per-center virial of the last evaluation.</summary>
    public ArrayView<double> AtomEnergy, CenterVirial;
    /// <summary>Per block of <see cref="MdKernels.ReduceBlock"/> atoms: Σe, Σm·v², the 9 virial sums.</summary>
    public ArrayView<double> Partial;
    public int AtomCount;
    /// <summary>Timestep (time units) and ½·dt·ftm2v.</summary>
    public double Dt, Dtf;
    /// <summary>(skin / 2)², Å².</summary>
    public double HalfSkin2;
}
