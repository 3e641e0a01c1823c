namespace DeepMD.Sharp.Gpu;

/// <summary>Storage in double.</summary>
public readonly struct DoubleOps : IRealOps<double>
{
    public double ToDouble(double value) => value;

    public double FromDouble(double value) => value;

    public double MulAdd(double acc, double x, double y) => acc + x * y;
}
