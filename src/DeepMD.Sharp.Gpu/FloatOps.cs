namespace DeepMD.Sharp.Gpu;

/// <summary>Storage in float.</summary>
public readonly struct FloatOps : IRealOps<float>
{
    public double ToDouble(float value) => value;

    public float FromDouble(double value) => (float)value;

    public float MulAdd(float acc, float x, float y) => acc + x * y;
}
