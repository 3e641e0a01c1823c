namespace DeepMD.Sharp.Tests.Serialization;

using DeepMD.Sharp.Models.Serialization;

[TestFixture]
public class PythonFloatTests
{
    // Expected strings are what CPython 3 prints for repr(x).
    [TestCase(0.1, "0.1")]
    [TestCase(1.0, "1.0")]
    [TestCase(-2.5, "-2.5")]
    [TestCase(123456789.0, "123456789.0")]
    [TestCase(1e15, "1000000000000000.0")]
    [TestCase(1e16, "1e+16")]
    [TestCase(1.5e16, "1.5e+16")]
    [TestCase(1234567890123456.7, "1234567890123456.8")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00012345, "0.00012345")]
    [TestCase(1e-05, "1e-05")]
    [TestCase(-1.25e-07, "-1.25e-07")]
    [TestCase(5e-324, "5e-324")]
    [TestCase(1.7976931348623157e308, "1.7976931348623157e+308")]
    [TestCase(0.30000000000000004, "0.30000000000000004")]
    [TestCase(0.05033023990415701, "0.05033023990415701")]
    [TestCase(-0.0, "-0.0")]
    [TestCase(0.0, "0.0")]
    [TestCase(100.0, "100.0")]
    public void Repr_MatchesPython(double value, string expected) =>
        Assert.That(PythonFloat.Repr(value), Is.EqualTo(expected));

    [TestCase(1e-05, "1.0e-05")]
    [TestCase(1e16, "1.0e+16")]
    [TestCase(1.5e16, "1.5e+16")]
    [TestCase(double.NaN, ".nan")]
    [TestCase(double.PositiveInfinity, ".inf")]
    [TestCase(double.NegativeInfinity, "-.inf")]
    [TestCase(0.5, "0.5")]
    public void Yaml_MatchesPyYaml(double value, string expected) =>
        Assert.That(PythonFloat.Yaml(value), Is.EqualTo(expected));

    [Test]
    public void Repr_RoundTripsRandomDoubles()
    {
        var rng = new Random(12345);
        for (var i = 0; i < 20000; i++)
        {
            var x = BitConverter.Int64BitsToDouble(rng.NextInt64());
            if (!double.IsFinite(x)) continue;
            var s = PythonFloat.Repr(x);
            Assert.That(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(x), s);
            Assert.That(s.Contains('.') || s.Contains('e'), Is.True, s);
        }
    }
}
