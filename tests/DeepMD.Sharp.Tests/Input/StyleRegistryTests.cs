namespace DeepMD.Sharp.Tests.Input;

using System.Reflection;
using DeepMD.Sharp.Cli;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Styles;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// A pair style defined outside DeepMD.Sharp.Input: <c>pair_style test/lj RC</c> is Lennard-Jones with ε = σ = 1 for
/// every type pair, built on the engine's <see cref="LennardJonesCut"/>; what a plugin or a user's script would write.
/// </summary>
[PairStyle("test/lj")]
public sealed class TestLjPairStyle : IPairStyle
{
    private double _cutoff;

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "RC");
        _cutoff = args.Double(0, "cutoff");
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
    }

    public IPotential Build(DeckContext context)
    {
        var n = context.Simulation.TypeCount;
        var lj = new LennardJonesCut(n, _cutoff);
        for (var i = 0; i < n; i++)
            for (var j = i; j < n; j++) lj.SetCoefficients(i, j, 1.0, 1.0, null);
        return lj;
    }
}

/// <summary>Explicit, open registration of commands and styles, and the listings of <c>info styles</c> and <c>dpsharp styles</c>.</summary>
public class StyleRegistryTests
{
    private const string Deck = """
        units lj
        lattice fcc 0.8442
        region box block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 1.0 87287 loop geom
        {PAIR}
        neighbor 0.3 bin
        fix 1 all nve
        thermo 5
        run 10
        """;

    private static string RunDeck(string pair, StyleRegistry styles)
    {
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, RepoPaths.TempDir(), null))
        {
            s.Context.Styles = styles;
            s.Runner.RunText("in.test", Deck.Replace("{PAIR}", pair));
        }
        return screen.ToString();
    }

    /// <summary>The thermo lines of a log: lines whose first word is a step number.</summary>
    private static List<string> ThermoLines(string log) =>
        log.Replace("\r", "").Split('\n').Where(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } w && long.TryParse(w[0], out _)).ToList();

    [Test]
    public void APairStyleFromAnotherAssemblyRunsADeck()
    {
        var styles = StyleRegistry.WithBuiltIns();
        Assert.That(styles.CreatePairStyle("test/lj"), Is.Null);
        styles.RegisterPairStyle<TestLjPairStyle>();
        Assert.That(styles.PairStyleNames, Does.Contain("test/lj").And.Contain("lj/cut"));
        Assert.That(styles.Origin(StyleKind.PairStyle, "test/lj"), Is.EqualTo("DeepMD.Sharp.Tests"));

        var custom = ThermoLines(RunDeck("pair_style test/lj 2.5", styles));
        var builtIn = ThermoLines(RunDeck("pair_style lj/cut 2.5\npair_coeff 1 1 1.0 1.0", StyleRegistry.Default));
        Assert.That(custom, Has.Count.EqualTo(3));
        Assert.That(custom, Is.EqualTo(builtIn));
        // The default registry was not changed by registering into another one.
        Assert.That(StyleRegistry.Default.PairStyleNames, Does.Not.Contain("test/lj"));
    }

    [Test]
    public void CommandsAndFixesRegisterWithAnExplicitNameToo()
    {
        var styles = StyleRegistry.WithBuiltIns();
        var said = new List<string>();
        styles.RegisterCommand("hello", () => new HelloCommand(said));
        var screen = new StringWriter();
        using var s = new DeckSession(screen, RepoPaths.TempDir(), null);
        s.Context.Styles = styles;
        s.Runner.RunText("in.test", "hello world\nprint done");
        Assert.That(said, Is.EqualTo(new[] { "world" }));
        Assert.That(styles.CreateFixStyle("nve"), Is.Not.Null);
        Assert.Throws<ArgumentException>(() => styles.RegisterPairStyle<NoNamePairStyle>());
    }

    /// <summary>Every class of the Input project that declares a command or style name is in the built-in list.</summary>
    [Test]
    public void EveryDeclaredStyleIsRegistered()
    {
        var types = typeof(StyleRegistry).Assembly.GetTypes();
        var styles = StyleRegistry.Default;
        foreach (var t in types)
        {
            foreach (var a in t.GetCustomAttributes<DeckCommandAttribute>())
                Assert.That(styles.CreateCommand(a.Name)?.GetType(), Is.EqualTo(t), $"command {a.Name}: add {t.Name} to BuiltInStyles");
            foreach (var a in t.GetCustomAttributes<PairStyleAttribute>())
                Assert.That(styles.CreatePairStyle(a.Name)?.GetType(), Is.EqualTo(t), $"pair style {a.Name}: add {t.Name} to BuiltInStyles");
            foreach (var a in t.GetCustomAttributes<FixStyleAttribute>())
                Assert.That(styles.CreateFixStyle(a.Name)?.GetType(), Is.EqualTo(t), $"fix style {a.Name}: add {t.Name} to BuiltInStyles");
        }
    }

    [Test]
    public void InfoStylesListsCommandsStylesFixesAndBackends()
    {
        var styles = StyleRegistry.WithBuiltIns();
        styles.RegisterPairStyle<TestLjPairStyle>();
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, RepoPaths.TempDir(), null))
        {
            s.Context.Styles = styles;
            s.Context.Backends = TestBackends.Cpu;
            s.Runner.RunText("in.test", "info styles");
        }
        var text = screen.ToString();
        Assert.That(text, Does.Contain("commands (").And.Contain("pair styles (").And.Contain("fix styles (").And.Contain("backends (3, "));
        Assert.That(text, Does.Contain(" run ").Or.Contain(" run\n"));
        Assert.That(text, Does.Contain("deepmd").And.Contain("lj/cut").And.Contain("test/lj [DeepMD.Sharp.Tests]"));
        Assert.That(text, Does.Contain("nvt").And.Contain("langevin"));
        Assert.That(text, Does.Contain("se_e2_a (se_a)").And.Contain("se_e2_r (se_r)"));
        var lines = text.Replace("\r", "").Split('\n');
        Assert.That(lines.Single(l => l.TrimStart().StartsWith("cpu-f64 (cpu)")), Does.Contain("available: fused SIMD").And.Contain("se_e2_a, se_r"));
        Assert.That(lines.Single(l => l.TrimStart().StartsWith("reference")), Does.Contain("available").And.Contain("any descriptor"));
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() =>
        {
            using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
            s.Runner.RunText("in.test", "info computes");
        });
        Assert.That(ex!.Message, Does.Contain("computes"));
    }

    [Test]
    public void DpsharpStylesListsBackendsWithWhetherTheyRunHere()
    {
        var stdout = new StringWriter();
        Assert.That(CommandLine.Run(["styles"], stdout, new StringWriter()), Is.EqualTo(0));
        var text = stdout.ToString();
        Assert.That(text, Does.Contain("commands (").And.Contain("pair styles (").And.Contain("fix styles (").And.Contain("backends ("));
        var lines = text.Replace("\r", "").Split('\n');
        // Automatic selection order: GPU, CPU, reference.
        var order = new[] { "gpu-f64 (gpu)", "cpu-f64 (cpu)", "reference" }
            .Select(n => Array.FindIndex(lines, l => l.TrimStart().StartsWith(n))).ToArray();
        Assert.That(order, Is.All.GreaterThanOrEqualTo(0));
        Assert.That(order, Is.Ordered);
        var gpu = lines.Single(l => l.TrimStart().StartsWith("gpu-f64 (gpu)"));
        if (!DeepMD.Sharp.Gpu.GpuDevices.HasCuda && Environment.GetEnvironmentVariable(DeepMD.Sharp.Gpu.GpuBackends.EmulateVariable) != "1")
        {
            Assert.That(gpu, Does.Contain("not available"));
            Assert.That(text, Does.Contain("needs a CUDA device: no CUDA device"));
        }
        else Assert.That(gpu, Does.Contain(" available"));
    }

    private sealed class HelloCommand(List<string> said) : IDeckCommand
    {
        public void Execute(DeckContext context, DeckArguments args) => said.Add(args[0]);
    }

    private sealed class NoNamePairStyle : IPairStyle
    {
        public void Configure(DeckContext context, DeckArguments args)
        {
        }

        public void Coeff(DeckContext context, DeckArguments args)
        {
        }

        public IPotential Build(DeckContext context) => throw new NotSupportedException();
    }
}
