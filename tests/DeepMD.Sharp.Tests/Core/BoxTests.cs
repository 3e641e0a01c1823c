namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

public class BoxTests
{
    [Test]
    public void FractionalRoundTripAndWrap()
    {
        var box = new Box([5, 0, 0, 1, 6, 0, -1, 2, 7]);
        var (a, b, c) = box.ToFractional(3.2, -4.1, 11.0);
        var (x, y, z) = box.ToCartesian(a, b, c);
        Assert.That(new[] { x, y, z }, Is.EqualTo(new[] { 3.2, -4.1, 11.0 }).Within(1e-12));
        var (wx, wy, wz) = box.Wrap(3.2, -4.1, 11.0);
        var (fa, fb, fc) = box.ToFractional(wx, wy, wz);
        foreach (var f in new[] { fa, fb, fc }) Assert.That(f, Is.InRange(0.0, 1.0));
        // The wrapped point differs from the original by an integer lattice vector.
        Assert.That(a - fa, Is.EqualTo(Math.Round(a - fa)).Within(1e-12));
        Assert.That(b - fb, Is.EqualTo(Math.Round(b - fb)).Within(1e-12));
        Assert.That(c - fc, Is.EqualTo(Math.Round(c - fc)).Within(1e-12));
    }

    [Test]
    public void FaceDistancesOfTriclinicCell()
    {
        var box = new Box([4, 0, 0, 2, 3, 0, 1, 1, 5]);
        Assert.That(box.Volume, Is.EqualTo(60).Within(1e-12));
        Assert.That(box.FaceDistance(2), Is.EqualTo(5).Within(1e-12)); // a×b is along z
        Assert.That(box.FaceDistance(0), Is.LessThan(4));
    }

    [Test]
    public void SingularCellIsAUserError()
    {
        Assert.Throws<UserInputException>(() => _ = new Box([1, 0, 0, 2, 0, 0, 0, 0, 1]));
    }
}
