namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Shrink-wrapped boundaries of <see cref="SimulationBox"/> against the rule LAMMPS documents for <c>boundary s/m</c>
/// (Domain::set_initial_box and reset_box): a shrink-wrapped face sits 1e-4 of the box length (taken when the box was
/// set) outside the outermost atom; an 'm' face never moves inside the bound it had when the box was set.
/// </summary>
[TestFixture]
public class ShrinkWrapBoxTests
{
    [Test]
    public void BoundaryWordsGiveOneLetterPerFaceAsLammpsParsesThem()
    {
        Assert.That(SimulationBox.ParseBoundary(["p", "s", "p"], out _), Is.EqualTo("ppsspp"));
        Assert.That(SimulationBox.ParseBoundary(["fs", "m", "sf"], out _), Is.EqualTo("fsmmsf"));
        Assert.That(SimulationBox.ParseBoundary(["pf", "p", "p"], out var e1), Is.Null);
        Assert.That(e1, Is.EqualTo("Both sides of boundary must be periodic"));
        Assert.That(SimulationBox.ParseBoundary(["p", "x", "p"], out var e2), Is.Null);
        Assert.That(e2, Does.StartWith("Illegal boundary command"));
    }

    [Test]
    public void SettingTheBoundaryMovesShrinkWrappedFacesOutByTheMargin()
    {
        var box = new SimulationBox(0, 10, -2, 2, 0, 4, periodicX: false, periodicY: false, periodicZ: true);
        box.SetBoundary("smfspp");
        Assert.Multiple(() =>
        {
            Assert.That(box.Lo[0], Is.EqualTo(-1e-4 * 10));
            Assert.That(box.Hi[0], Is.EqualTo(10), "m face: kept (remembered as minimum)");
            Assert.That(box.Lo[1], Is.EqualTo(-2), "f face unchanged");
            Assert.That(box.Hi[1], Is.EqualTo(2 + 1e-4 * 4));
            Assert.That((box.Lo[2], box.Hi[2]), Is.EqualTo((0.0, 4.0)));
            Assert.That(box.Periodic, Is.EqualTo(new[] { false, false, true }));
            Assert.That(box.ShrinkWraps, Is.True);
            Assert.That(box.Faces, Is.EqualTo("smfspp"));
        });
    }

    [Test]
    public void ShrinkWrapFollowsTheAtomsAndMFacesKeepTheirMinimum()
    {
        var box = new SimulationBox(0, 10, 0, 20, 0, 5, periodicX: false, periodicY: false, periodicZ: true);
        box.SetBoundary("ssmmpp");
        double[] x = [1.5, 8.0, 3.0], y = [4.0, 22.5, 10.0], z = [7.0, -1.0, 2.0];
        Assert.That(box.ShrinkWrap(x, y, z), Is.True);
        const double smallX = 1e-4 * 10, smallY = 1e-4 * 20;
        Assert.Multiple(() =>
        {
            Assert.That(box.Lo[0], Is.EqualTo(1.5 - smallX));
            Assert.That(box.Hi[0], Is.EqualTo(8.0 + smallX));
            Assert.That(box.Lo[1], Is.EqualTo(0.0), "m face: the atoms are inside the original bound, which stays");
            Assert.That(box.Hi[1], Is.EqualTo(22.5 + smallY), "m face: the atoms went beyond it, it follows them");
            Assert.That((box.Lo[2], box.Hi[2]), Is.EqualTo((0.0, 5.0)), "periodic z untouched even with atoms outside");
            Assert.That(box.Volume, Is.EqualTo((box.Hi[0] - box.Lo[0]) * (box.Hi[1] - box.Lo[1]) * 5.0));
        });
        // the margin stays the one of the box when it was set, not of the shrunk box
        box.ShrinkWrap([2.0, 4.0], [1.0, 2.0], [0.0, 0.0]);
        Assert.Multiple(() =>
        {
            Assert.That(box.Lo[0], Is.EqualTo(2.0 - smallX));
            Assert.That(box.Hi[0], Is.EqualTo(4.0 + smallX));
            Assert.That((box.Lo[1], box.Hi[1]), Is.EqualTo((0.0, 20.0)));
        });
    }

    [Test]
    public void TriclinicShrinkWrapTakesTheExtentInFractionalCoordinates()
    {
        var box = new SimulationBox(0, 10, 0, 10, 0, 10, xy: 3, periodicX: true, periodicY: false, periodicZ: true);
        box.SetBoundary("ppsspp");
        var rng = new Random(7);
        var n = 50;
        double[] x = new double[n], y = new double[n], z = new double[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = 2 + 5 * rng.NextDouble();
            x[i] = 0.3 * y[i] + 9 * rng.NextDouble();
            z[i] = 10 * rng.NextDouble();
        }
        box.ShrinkWrap(x, y, z);
        // in a box tilted in xy only, the fractional b of a point is (y - ylo) / ly, so the y faces sit on the atoms' y extent
        Assert.That(box.Lo[1], Is.EqualTo(y.Min() - 1e-4 * 10).Within(1e-12));
        Assert.That(box.Hi[1], Is.EqualTo(y.Max() + 1e-4 * 10).Within(1e-12));
        Assert.That(box.Xy, Is.EqualTo(3), "LAMMPS leaves the tilt as it is");
        for (var i = 0; i < n; i++) Assert.That(box.InsideNonPeriodic(x[i], y[i], z[i]), Is.True, $"atom {i} inside");
    }

    [Test]
    public void AShrinkWrappedFaceBeyondAFixedOneIsAnIllegalBox()
    {
        var box = new SimulationBox(0, 10, 0, 10, 0, 10, periodicX: false);
        box.SetBoundary("fspppp");
        Assert.That(() => box.ShrinkWrap([-5.0, -3.0], [1.0, 1.0], [1.0, 1.0]),
            Throws.TypeOf<UserInputException>().With.Message.EqualTo("Illegal simulation box"));
    }

    [Test]
    public void BoxesWithoutShrinkWrappedFacesDoNotChange()
    {
        var box = new SimulationBox(0, 10, 0, 10, 0, 10, periodicX: false);
        box.SetBoundary("ffpppp");
        Assert.That(box.ShrinkWrap([20.0], [1.0], [1.0]), Is.False);
        Assert.That((box.Lo[0], box.Hi[0]), Is.EqualTo((0.0, 10.0)));
    }
}
