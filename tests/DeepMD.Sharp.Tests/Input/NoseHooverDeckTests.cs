namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>Deck errors of fix nvt/npt/nph/temp-csvr name the file, line and the problem.</summary>
[TestFixture]
public class NoseHooverDeckTests
{
    private static DeckSession Session()
    {
        var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("d", "lattice fcc 0.8442\nregion box block 0 2 0 2 0 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\npair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0");
        return s;
    }

    private static string Error(DeckSession s, string line) =>
        Assert.Throws<UserInputException>(() => s.Runner.RunText("in.npt", line))!.Message;

    [Test]
    public void BadSettingsAreRejectedWithTheReason()
    {
        using var s = Session();
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 isoo 0 0 5"), Does.StartWith("in.npt:1:").And.Contain("did you mean 'iso'?"));
        Assert.That(Error(s, "fix 1 all nvt temp 1 1 0.5 iso 0 0 5"), Does.Contain("fix nvt cannot control pressure"));
        Assert.That(Error(s, "fix 1 all npt iso 0 0 5"), Does.Contain("needs at least 8 argument(s)"));
        Assert.That(Error(s, "fix 1 all npt iso 0 0 5 drag 0.1 mtk yes"), Does.Contain("fix npt needs 'temp"));
        Assert.That(Error(s, "fix 1 all nph temp 1 1 0.5 iso 0 0 5"), Does.Contain("fix nph cannot thermostat"));
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 x 0 0 5 y 1 1 5 couple xy"), Does.Contain("couple xy needs the same"));
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 iso 0 0 -5"), Does.Contain("damping time must be positive"));
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 iso 0 0 5 dilate partial"), Does.Contain("only 'dilate all'"));
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 drag 0.1 iso 0 0"), Does.Contain("keyword 'iso' needs 3 value(s)"));
        Assert.That(Error(s, "fix 1 all npt temp 1 1 0.5 tri 0 0 5 scalexy yes"), Does.Contain("both barostatted and scaled"));
        Assert.That(Error(s, "fix 1 all temp/csvr 1 1 0.5 0"), Does.Contain("seed must be in 1..900000000"));
    }

    [Test]
    public void KeywordsReachTheFix()
    {
        using var s = Session();
        s.Runner.RunText("d", "fix 1 all npt temp 1 1 0.5 aniso 1 1 5 couple xy tchain 5 pchain 0 mtk no tloop 2 ploop 3 drag 0.1");
        var fix = (FixNpt)s.Simulation!.FindFix("1")!;
        Assert.That(fix.Eta, Has.Count.EqualTo(5));
        Assert.That(fix.ChangesBox, Is.True);
        // state: 3·5+1 chain values, 6+6 barostat, 3·0+1 barostat chain, V0, T0, 6 h0inv, 3 fixed point, 1 flag,
        // 6 measured pressures, then the measured temperature and degrees of freedom
        Assert.That(fix.SaveState(), Has.Length.EqualTo(16 + 12 + 1 + 2 + 6 + 3 + 1 + 6 + 2));
        s.Runner.RunText("d", "fix 2 all nvt temp 1 1 0.5");
        Assert.That(s.Simulation!.FindFix("2"), Is.TypeOf<FixNvt>().And.Property("ChangesBox").False);
    }
}
