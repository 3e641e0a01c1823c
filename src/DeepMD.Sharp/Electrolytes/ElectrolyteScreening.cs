namespace DeepMD.Sharp.Electrolytes;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Minimization;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;
using DeepMD.Sharp.IO;

/// <summary>
/// How each composition is simulated and analysed (metal units: ps, bar, K, Å). The defaults are the full mode:
/// 0.5 fs steps, 10 ps NPT, 50 ps NVT sampled every 50 fs.
/// </summary>
public sealed record ScreeningSettings
{
    public double Temperature { get; init; } = 298.15;

    /// <summary>NPT target pressure, bar.</summary>
    public double Pressure { get; init; } = 1.01325;

    /// <summary>Time step, ps.</summary>
    public double Timestep { get; init; } = 0.0005;

    /// <summary>Conjugate-gradient iterations before MD (force tolerance <see cref="MinimizeForceTolerance"/> eV/Å).</summary>
    public int MinimizeIterations { get; init; } = 500;

    public double MinimizeForceTolerance { get; init; } = 1e-2;

    /// <summary>
    /// Whether the minimisation also relaxes the cell to <see cref="Pressure"/> (fix box/relax iso, at most
    /// <see cref="RelaxVmax"/> volume strain per line search), so NPT starts near the model's density. Off by default.
    /// </summary>
    public bool MinimizeRelaxesCell { get; init; }

    /// <summary>fix box/relax vmax of the cell relaxation (largest fractional change of the box length per line search).</summary>
    public double RelaxVmax { get; init; } = 0.001;

    public int NptSteps { get; init; } = 20_000;

    public int NvtSteps { get; init; } = 100_000;

    /// <summary>Steps between trajectory frames in the NVT run.</summary>
    public int SampleEvery { get; init; } = 100;

    /// <summary>Thermostat damping time, ps.</summary>
    public double TDamp { get; init; } = 0.05;

    /// <summary>Barostat damping time, ps.</summary>
    public double PDamp { get; init; } = 0.5;

    /// <summary>Number of blocks the NVT trajectory is cut into for the error bars.</summary>
    public int Blocks { get; init; } = 4;

    /// <summary>The MSD fit window, as fractions of one block's duration (the same window fits the whole run and each block).</summary>
    public double FitStart { get; init; } = 0.1;

    public double FitEnd { get; init; } = 0.5;

    /// <summary>RDF range (capped at half the smallest box edge) and bins.</summary>
    public double RdfMax { get; init; } = 8.0;

    public int RdfBins { get; init; } = 160;

    /// <summary>
    /// Radius of the Li+ first solvation shell, Å (coordination numbers are counted within it); null (the default): the
    /// first minimum of each composition's Li–O(all) g(r) after its first peak (<see cref="RadialDistribution.FirstMinimum"/>),
    /// or <see cref="FallbackShellCutoff"/> when that g(r) has no minimum within its range.
    /// </summary>
    public double? ShellCutoff { get; init; }

    /// <summary>The shell radius when <see cref="ShellCutoff"/> is null and g(r) shows no first minimum, Å.</summary>
    public double FallbackShellCutoff { get; init; } = 2.8;

    /// <summary>Packmol tolerance, Å.</summary>
    public double PackingTolerance { get; init; } = 2.0;

    /// <summary>Seed of the packing and of the initial velocities.</summary>
    public int Seed { get; init; } = 4928459;

    /// <summary>Neighbor skin, Å.</summary>
    public double Skin { get; init; } = 1.0;

    /// <summary>A tiny pipeline check: a few hundred steps (CI).</summary>
    public static ScreeningSettings Quick => new()
    {
        MinimizeIterations = 30, NptSteps = 100, NvtSteps = 200, SampleEvery = 5, Blocks = 2, RdfMax = 5.0, RdfBins = 50,
        PackingTolerance = 1.8, Timestep = 0.0005,
    };
}

/// <summary>A point of a curve; JSON-friendly.</summary>
public sealed record Curve(double[] X, double[] Y);

/// <summary>Everything measured for one composition (units in the names: D in 1e-10 m²/s, σ in mS/cm).</summary>
public sealed record ScreeningResult
{
    public string Key { get; init; } = "";
    public string Label { get; init; } = "";
    public string Salt { get; init; } = "";
    public string Solvents { get; init; } = "";
    public double NominalConcentration { get; init; }
    public double Concentration { get; init; }
    public Dictionary<string, int> Molecules { get; init; } = [];
    public int Atoms { get; init; }
    public double Density { get; init; }
    public double Volume { get; init; }
    public double Temperature { get; init; }
    public Estimate DLi { get; init; } = new(0, 0, []);
    public Estimate DAnion { get; init; } = new(0, 0, []);
    public Estimate DSolvent { get; init; } = new(0, 0, []);
    /// <summary>Self-diffusion of each solvent species (molecular centres), 1e-10 m²/s, by molecule name.</summary>
    public Dictionary<string, Estimate> DBySolvent { get; init; } = [];
    public Estimate SigmaNernstEinstein { get; init; } = new(0, 0, []);
    public Estimate SigmaEinstein { get; init; } = new(0, 0, []);
    public double Haven { get; init; }
    public double CnLiOSolvent { get; init; }
    /// <summary>Mean number of O of each solvent species within the shell of a Li+, by molecule name.</summary>
    public Dictionary<string, double> CnLiOBySolvent { get; init; } = [];
    public double CnLiOAnion { get; init; }
    public double CnLiF { get; init; }
    public double ShellCutoff { get; init; }
    /// <summary>Where <see cref="ShellCutoff"/> came from: "set", "first minimum of g Li–O(all)" or "fallback (no minimum in g)".</summary>
    public string ShellCutoffSource { get; init; } = "";
    public Dictionary<string, Curve> Rdf { get; init; } = [];
    public Dictionary<string, Curve> Msd { get; init; } = [];
    /// <summary>Per MSD curve: slope (Å²/ps or e²Å²/ps) and intercept of the whole-run fit.</summary>
    public Dictionary<string, double[]> MsdFit { get; init; } = [];
    public double FitStartPs { get; init; }
    public double FitEndPs { get; init; }
    public double WallSeconds { get; init; }
}

/// <summary>Where a screening is: composition i of n, stage, steps done of the stage.</summary>
public sealed record ScreeningProgress(int Index, int Count, string Label, string Stage, long Step, long Steps, string Detail);

/// <summary>
/// Screens electrolyte compositions: for each, packs a box (<see cref="PackmolBuilder"/>), minimises, equilibrates
/// with Nosé–Hoover NPT, rescales the box to the mean NPT volume, runs Nosé–Hoover NVT production with the given
/// potential and analyses the trajectory (<see cref="TransportAnalysis"/>, <see cref="RadialDistribution"/>).
/// Results go to <c>results/KEY.json</c> in the output folder, then the composition is added to <c>state.json</c>;
/// both are written atomically (temporary file, fsync, rename), so a rerun after an interruption skips the finished
/// compositions and redoes only the one that was running. <c>results.csv</c> and <c>results.md</c> hold the table.
/// </summary>
public sealed class ElectrolyteScreening
{
    private static readonly ScreeningJson Json = ScreeningJson.Default;

    private readonly Func<IPotential> _potential;

    /// <param name="outputFolder">Where results, state and tables go (created).</param>
    /// <param name="settings">MD and analysis settings; a rerun must use the same ones.</param>
    /// <param name="potential">Makes the potential for a new simulation (e.g. <c>() =&gt; new DeepPotential(model, typeMap)</c>).</param>
    /// <param name="typeMap">Element of each engine type, in the potential's order (e.g. Li, P, F, C, O, H).</param>
    /// <param name="modelDescription">Written into the state (a different model in the same folder is refused).</param>
    public ElectrolyteScreening(string outputFolder, ScreeningSettings settings, Func<IPotential> potential, IReadOnlyList<string> typeMap, string modelDescription)
    {
        OutputFolder = outputFolder;
        Settings = settings;
        _potential = potential;
        TypeMap = typeMap;
        ModelDescription = modelDescription;
    }

    public string OutputFolder { get; }

    public ScreeningSettings Settings { get; }

    public IReadOnlyList<string> TypeMap { get; }

    public string ModelDescription { get; }

    /// <summary>Progress reports (each stage, and about every 10% of an MD stage).</summary>
    public Action<ScreeningProgress>? Progress { get; set; }

    /// <summary>Packmol executable (default: <c>packmol</c> on PATH or DPSHARP_PACKMOL).</summary>
    public string? Packmol { get; set; }

    /// <summary>Keys of the compositions simulated (not loaded from a finished earlier run) by the last <see cref="Run"/>.</summary>
    public List<string> Simulated { get; } = [];

    private string StatePath => Path.Combine(OutputFolder, "state.json");

    /// <summary>Screens <paramref name="compositions"/> in order and returns their results (finished ones read back).</summary>
    public IReadOnlyList<ScreeningResult> Run(IReadOnlyList<ElectrolyteComposition> compositions, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(Path.Combine(OutputFolder, "results"));
        var fingerprint = JsonSerializer.Serialize(Settings, Json.ScreeningSettings);
        var state = new ScreeningState(fingerprint, ModelDescription, []);
        if (File.Exists(StatePath))
        {
            state = JsonSerializer.Deserialize(File.ReadAllText(StatePath), Json.ScreeningState) ?? throw new UserInputException("cannot read the state file", StatePath);
            if (state.Settings != fingerprint || state.Model != ModelDescription)
                throw new UserInputException($"this folder holds a screening with other settings or another model ({state.Model}); use another output folder or delete {StatePath}", StatePath);
        }
        Simulated.Clear();
        var results = new List<ScreeningResult>();
        for (var i = 0; i < compositions.Count; i++)
        {
            var c = compositions[i];
            var resultPath = Path.Combine(OutputFolder, "results", c.Key + ".json");
            if (state.Finished.Contains(c.Key) && File.Exists(resultPath))
            {
                results.Add(JsonSerializer.Deserialize(File.ReadAllText(resultPath), Json.ScreeningResult)!);
                Report(i, compositions.Count, c.Label, "skipped", 0, 0, "finished in an earlier run");
                continue;
            }
            cancel.ThrowIfCancellationRequested();
            var r = Screen(c, i, compositions.Count, cancel);
            Simulated.Add(c.Key);
            PackedBox.WriteAtomically(resultPath, JsonSerializer.Serialize(r, Json.ScreeningResult));
            state.Finished.Add(c.Key);
            PackedBox.WriteAtomically(StatePath, JsonSerializer.Serialize(state, Json.ScreeningState));
            results.Add(r);
            WriteTables(results);
            Report(i, compositions.Count, c.Label, "done", 0, 0, string.Create(CultureInfo.InvariantCulture, $"{r.WallSeconds:F1} s"));
        }
        WriteTables(results);
        return results;
    }

    private void Report(int i, int n, string label, string stage, long step, long steps, string detail) =>
        Progress?.Invoke(new ScreeningProgress(i, n, label, stage, step, steps, detail));

    /// <summary>Simulates and analyses one composition.</summary>
    public ScreeningResult Screen(ElectrolyteComposition composition, int index = 0, int count = 1, CancellationToken cancel = default)
    {
        var s = Settings;
        var clock = Stopwatch.StartNew();
        var label = composition.Label;
        Report(index, count, label, "pack", 0, 0, "");
        var counts = composition.Counts();
        var builder = new PackmolBuilder { Tolerance = s.PackingTolerance, Seed = s.Seed, Executable = Packmol ?? new PackmolBuilder().Executable };
        var box = builder.Pack(counts, composition.Density);
        Directory.CreateDirectory(Path.Combine(OutputFolder, "results"));
        box.WriteLammpsData(Path.Combine(OutputFolder, "results", composition.Key + ".data"), TypeMap);

        var sim = ToSimulation(box);
        sim.Potential = _potential();
        var watch = new Watcher(this, index, count, label, cancel);
        sim.Observers.Add(watch);

        watch.Stage = "minimize";
        Report(index, count, label, "minimize", 0, s.MinimizeIterations, "");
        FixBoxRelax? relax = null;
        if (s.MinimizeRelaxesCell)
        {
            var options = new FixBoxRelax.Options { Couple = FixBoxRelax.Coupling.Xyz, Vmax = s.RelaxVmax };
            for (var d = 0; d < 3; d++) (options.Target[d], options.Controlled[d]) = (s.Pressure, true);
            relax = new FixBoxRelax("screening_relax", sim, options);
            sim.Fixes.Add(relax);
        }
        try
        {
            sim.Minimize(0, s.MinimizeForceTolerance, s.MinimizeIterations, 10 * s.MinimizeIterations, new MinimizeSettings());
        }
        finally
        {
            if (relax is not null) sim.Fixes.Remove(relax);
        }
        cancel.ThrowIfCancellationRequested();

        VelocityGenerator.Create(sim, s.Temperature, s.Seed, new VelocityOptions());
        var npt = new NoseHooverOptions { Thermostat = true, TStart = s.Temperature, TStop = s.Temperature, TDamp = s.TDamp, Couple = PressureCoupling.Xyz };
        for (var d = 0; d < 3; d++)
        {
            npt.PFlag[d] = true;
            npt.PStart[d] = npt.PStop[d] = s.Pressure;
            npt.PDamp[d] = s.PDamp;
        }
        npt.DefaultTiltScaling(sim.Box!);
        var nptFix = new FixNpt("screen-npt", npt);
        sim.Fixes.Add(nptFix);
        var volumes = new VolumeRecorder(s.NptSteps / 2);
        sim.Observers.Add(volumes);
        watch.Stage = "NPT";
        sim.Run(s.NptSteps);
        sim.Fixes.Remove(nptFix);
        sim.Observers.Remove(volumes);
        var volume = volumes.Mean(sim.Box!.Volume);
        Rescale(sim, volume);
        cancel.ThrowIfCancellationRequested();

        sim.Fixes.Add(new FixNvt("screen-nvt", s.Temperature, s.Temperature, s.TDamp));
        var frames = new FrameRecorder(s.SampleEvery, box.AtomCount);
        sim.Observers.Add(frames);
        watch.Stage = "NVT";
        sim.Run(s.NvtSteps);
        cancel.ThrowIfCancellationRequested();
        Report(index, count, label, "analyse", 0, 0, $"{frames.Frames.Count} frames");
        var result = Analyse(composition, box, frames.Frames, sim.Box!, s.SampleEvery * s.Timestep);
        return result with { WallSeconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>A metal-units simulation holding the packed box (types in <see cref="TypeMap"/> order, masses of the elements).</summary>
    public Simulation ToSimulation(PackedBox box)
    {
        var sim = new Simulation(UnitSystem.Metal);
        sim.CreateBox(new SimulationBox(0, box.Lengths[0], 0, box.Lengths[1], 0, box.Lengths[2]), TypeMap.Count);
        var types = box.TypeNames(TypeMap);
        for (var t = 0; t < types.Length; t++) sim.SetMass(t, ChemicalElements.Mass(types[t]) ?? throw new UserInputException($"unknown element {types[t]}"));
        var typeOf = types.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        for (var i = 0; i < box.AtomCount; i++)
        {
            var k = sim.Atoms.Add(i + 1, typeOf[box.Elements[i]], box.Positions[3 * i], box.Positions[3 * i + 1], box.Positions[3 * i + 2]);
            sim.Atoms.ImageA[k] = box.Images[3 * i];
            sim.Atoms.ImageB[k] = box.Images[3 * i + 1];
            sim.Atoms.ImageC[k] = box.Images[3 * i + 2];
        }
        sim.Timestep = Settings.Timestep;
        sim.Neighbor.Skin = Settings.Skin;
        return sim;
    }

    /// <summary>Scales the box and the positions about the origin to <paramref name="volume"/>.</summary>
    private static void Rescale(Simulation sim, double volume)
    {
        var b = sim.Box!;
        var f = Math.Cbrt(volume / b.Volume);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            a.X[i] = b.Lo[0] + (a.X[i] - b.Lo[0]) * f;
            a.Y[i] = b.Lo[1] + (a.Y[i] - b.Lo[1]) * f;
            a.Z[i] = b.Lo[2] + (a.Z[i] - b.Lo[2]) * f;
        }
        b.Reshape(b.Lo[0], b.Lo[0] + b.Lx * f, b.Lo[1], b.Lo[1] + b.Ly * f, b.Lo[2], b.Lo[2] + b.Lz * f, 0, 0, 0);
    }

    /// <summary>The analysis of one NVT trajectory (frames of unwrapped positions in the packed box's atom order).</summary>
    public ScreeningResult Analyse(ElectrolyteComposition composition, PackedBox box, IReadOnlyList<double[]> frames, SimulationBox cell, double frameInterval)
    {
        var s = Settings;
        var masses = box.Elements.Select(e => ChemicalElements.Mass(e)!.Value).ToArray();
        int[] Atoms(int m) => Enumerable.Range(box.FirstAtom[m], box.Molecules[m].AtomCount).ToArray();
        var li = new List<int[]>();
        var anions = new List<int[]>();
        var solvent = new List<int[]>();
        var solventName = new List<string>();
        for (var m = 0; m < box.Molecules.Count; m++)
        {
            var t = box.Molecules[m];
            (t.Name == "Li+" ? li : t.FormalCharge < 0 ? anions : solvent).Add(Atoms(m));
            if (t.Name != "Li+" && t.FormalCharge >= 0) solventName.Add(t.Name);
        }
        var solventSpecies = solventName.Distinct().ToArray();
        var ions = li.Concat(anions).ToList();
        var ionCharges = li.Select(_ => 1.0).Concat(anions.Select(_ => -1.0)).ToArray();
        var centres = TransportAnalysis.Centres(frames, [.. li, .. anions, .. solvent], masses);
        int nLi = li.Count, nAn = anions.Count, nSol = solvent.Count;
        int[] liIdx = Enumerable.Range(0, nLi).ToArray(), anIdx = Enumerable.Range(nLi, nAn).ToArray(), solIdx = Enumerable.Range(nLi + nAn, nSol).ToArray();

        var blocks = Math.Max(1, s.Blocks);
        var blockFrames = frames.Count / blocks;
        var blockTime = (blockFrames - 1) * frameInterval;
        var fitStart = s.FitStart * blockTime;
        var fitEnd = s.FitEnd * blockTime;
        var maxLag = (int)Math.Round(fitEnd / frameInterval);
        if (maxLag < 2) throw new UserInputException($"the NVT run is too short for the MSD fit: {frames.Count} frames in {blocks} blocks; run more steps or sample more often");
        double Slope(IReadOnlyList<double[]> f, int[] sel) => TransportAnalysis.Fit(MeanSquaredDisplacement.Compute(f, sel, maxLag), frameInterval, fitStart, fitEnd).Slope;
        Estimate D(int[] sel) => sel.Length == 0 ? new Estimate(double.NaN, double.NaN, []) : Scale(TransportAnalysis.Blocked(centres, blocks, f => Slope(f, sel)), 1.0 / 6);
        var dLi = D(liIdx);
        var dAn = D(anIdx);
        var dSol = D(solIdx);
        var dBySolvent = solventSpecies.ToDictionary(name => name,
            name => D(Enumerable.Range(0, nSol).Where(k => solventName[k] == name).Select(k => nLi + nAn + k).ToArray()));
        var ionCentres = centres.Select(c => c[..(3 * (nLi + nAn))]).ToList();
        double CollectiveSlope(IReadOnlyList<double[]> f) =>
            TransportAnalysis.Fit(TransportAnalysis.CollectiveMsd(f, ionCharges, maxLag), frameInterval, fitStart, fitEnd).Slope;
        var collective = TransportAnalysis.Blocked(ionCentres, blocks, CollectiveSlope);
        var volume = cell.Volume;
        const double toMilliSiemensPerCm = 10; // 1 S/m = 10 mS/cm
        var sigmaE = Scale(collective, TransportAnalysis.Einstein(volume, s.Temperature, 1) * toMilliSiemensPerCm);
        double Ne(double dl, double da) => TransportAnalysis.NernstEinstein(volume, s.Temperature, [(nLi, 1, dl), (nAn, -1, da)]) * toMilliSiemensPerCm;
        var sigmaNe = new Estimate(Ne(dLi.Value, dAn.Value), double.NaN,
            dLi.Blocks.Zip(dAn.Blocks, Ne).ToArray());
        sigmaNe = sigmaNe with { Error = TransportAnalysis.BlockError(sigmaNe.Blocks) };

        // RDFs of Li+ with solvent O, anion O, anion F; coordination numbers within the shell cutoff.
        var labels = new int[box.AtomCount];
        for (var i = 0; i < box.AtomCount; i++)
        {
            var mol = box.Molecules[box.Molecule[i]];
            labels[i] = box.Elements[i] switch
            {
                "Li" when mol.Name == "Li+" => 0,
                "O" when mol.FormalCharge == 0 => 1,
                "O" => 2,
                "F" when mol.FormalCharge < 0 => 3,
                "O" or "F" => 4,
                _ => 5,
            };
        }
        var rMax = Math.Min(s.RdfMax, 0.5 * Math.Min(cell.Lx, Math.Min(cell.Ly, cell.Lz)) - 1e-6);
        var rdfs = new[] { 1, 2, 3 }.Select(b => new RadialDistribution(0, b, rMax, s.RdfBins)).ToArray();
        var allO = new RadialDistribution(0, 1, rMax, s.RdfBins);
        var labelsAllO = labels.Select(l => l == 2 ? 1 : l).ToArray();
        // Li (0) against the O of each solvent species (1 + its index); everything else 1 + species count.
        var labelsBySolvent = new int[box.AtomCount];
        for (var i = 0; i < box.AtomCount; i++)
        {
            var mol = box.Molecules[box.Molecule[i]];
            labelsBySolvent[i] = labels[i] == 0 ? 0
                : labels[i] == 1 ? 1 + Array.IndexOf(solventSpecies, mol.Name)
                : 1 + solventSpecies.Length;
        }
        var bySolvent = solventSpecies.Select((_, k) => new RadialDistribution(0, 1 + k, rMax, s.RdfBins)).ToArray();
        var core = Box.Orthorhombic(cell.Lx, cell.Ly, cell.Lz);
        var n = box.AtomCount;
        double[] x = new double[n], y = new double[n], z = new double[n];
        foreach (var f in frames)
        {
            for (var i = 0; i < n; i++)
            {
                x[i] = f[3 * i] - cell.Lo[0];
                y[i] = f[3 * i + 1] - cell.Lo[1];
                z[i] = f[3 * i + 2] - cell.Lo[2];
            }
            foreach (var r in rdfs) r.Add(x, y, z, labels, core);
            allO.Add(x, y, z, labelsAllO, core);
            foreach (var r in bySolvent) r.Add(x, y, z, labelsBySolvent, core);
        }
        var firstMinimum = RadialDistribution.FirstMinimum(allO.Radii(), allO.Values());
        var (shell, shellSource) = s.ShellCutoff is { } set ? (set, "set")
            : double.IsFinite(firstMinimum) ? (firstMinimum, "first minimum of g Li–O(all)")
            : (s.FallbackShellCutoff, "fallback (no minimum in g Li–O(all))");
        double Cn(RadialDistribution r)
        {
            var k = (int)Math.Floor(shell / r.BinWidth) - 1;
            return k < 0 ? 0 : r.Coordination()[Math.Min(k, r.Bins - 1)];
        }

        var lag = Enumerable.Range(0, maxLag + 1).Select(k => k * frameInterval).ToArray();
        var msd = new Dictionary<string, Curve>();
        var fits = new Dictionary<string, double[]>();
        void AddMsd(string name, double[] values)
        {
            msd[name] = new Curve(lag, values);
            var fit = TransportAnalysis.Fit(values, frameInterval, fitStart, fitEnd);
            fits[name] = [fit.Slope, fit.Intercept];
        }
        if (nLi > 0) AddMsd("Li+", MeanSquaredDisplacement.Compute(centres, liIdx, maxLag));
        if (nAn > 0) AddMsd("anion", MeanSquaredDisplacement.Compute(centres, anIdx, maxLag));
        if (nSol > 0) AddMsd("solvent", MeanSquaredDisplacement.Compute(centres, solIdx, maxLag));
        if (solventSpecies.Length > 1)
            foreach (var name in solventSpecies)
                AddMsd(name, MeanSquaredDisplacement.Compute(centres, Enumerable.Range(0, nSol).Where(k => solventName[k] == name).Select(k => nLi + nAn + k).ToArray(), maxLag));
        AddMsd("collective", TransportAnalysis.CollectiveMsd(ionCentres, ionCharges, maxLag));

        const double toE10 = 100; // 1 Å²/ps = 100 × 1e-10 m²/s
        return new ScreeningResult
        {
            Key = composition.Key,
            Label = composition.Label,
            Salt = composition.Salt,
            Solvents = string.Join(":", composition.Solvents.Select(v => v.Name)) + " " + string.Join(":", composition.Solvents.Select(v => v.Amount.ToString("G4", CultureInfo.InvariantCulture))) + (composition.Ratio == SolventRatio.Weight ? " (w)" : " (mol)"),
            NominalConcentration = composition.Concentration,
            Concentration = BoxArithmetic.Molarity(nLi, volume),
            Molecules = box.Census().ToDictionary(c => c.Name, c => c.Count),
            Atoms = box.AtomCount,
            Density = BoxArithmetic.Density(box.Mass, volume),
            Volume = volume,
            Temperature = s.Temperature,
            DLi = Scale(dLi, toE10),
            DAnion = Scale(dAn, toE10),
            DSolvent = Scale(dSol, toE10),
            DBySolvent = dBySolvent.ToDictionary(p => p.Key, p => Scale(p.Value, toE10)),
            SigmaNernstEinstein = sigmaNe,
            SigmaEinstein = sigmaE,
            Haven = sigmaNe.Value / sigmaE.Value,
            CnLiOSolvent = Cn(rdfs[0]),
            CnLiOBySolvent = solventSpecies.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => Cn(bySolvent[p.k])),
            CnLiOAnion = Cn(rdfs[1]),
            CnLiF = Cn(rdfs[2]),
            ShellCutoff = shell,
            ShellCutoffSource = shellSource,
            Rdf = new Dictionary<string, Curve>
            {
                ["Li-O(solvent)"] = new(rdfs[0].Radii(), rdfs[0].Values()),
                ["Li-O(anion)"] = new(rdfs[1].Radii(), rdfs[1].Values()),
                ["Li-F(anion)"] = new(rdfs[2].Radii(), rdfs[2].Values()),
                ["Li-O(all)"] = new(allO.Radii(), allO.Values()),
            },
            Msd = msd,
            MsdFit = fits,
            FitStartPs = fitStart,
            FitEndPs = fitEnd,
        };
    }

    private static Estimate Scale(Estimate e, double f) => new(e.Value * f, e.Error * f, e.Blocks.Select(v => v * f).ToArray());

    /// <summary>Writes <c>results.csv</c> and <c>results.md</c> (atomically).</summary>
    public void WriteTables(IReadOnlyList<ScreeningResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        // Per-solvent columns: every solvent species of any composition, in order of first appearance.
        var species = results.SelectMany(r => r.DBySolvent.Keys).Distinct().ToArray();
        string[] head = ["composition", "salt", "solvents", "c_nominal_M", "c_M", "atoms", "density_g_cm3",
            "D_Li_1e-10m2s", "D_Li_err", "D_anion_1e-10m2s", "D_anion_err", "D_solvent_1e-10m2s", "D_solvent_err",
            .. species.SelectMany(n => new[] { $"D_{n}_1e-10m2s", $"D_{n}_err" }),
            "sigma_NE_mS_cm", "sigma_NE_err", "sigma_E_mS_cm", "sigma_E_err", "Haven", "shell_cutoff_A", "CN_Li_O_solvent",
            .. species.Select(n => $"CN_Li_O_{n}"), "CN_Li_O_anion", "CN_Li_F", "wall_s"];
        IEnumerable<string> Row(ScreeningResult r) =>
        [
            r.Label, r.Salt, r.Solvents, F(r.NominalConcentration, "F3"), F(r.Concentration, "F3"), r.Atoms.ToString(ci), F(r.Density, "F4"),
            F(r.DLi.Value), F(r.DLi.Error), F(r.DAnion.Value), F(r.DAnion.Error), F(r.DSolvent.Value), F(r.DSolvent.Error),
            .. species.SelectMany(n => r.DBySolvent.TryGetValue(n, out var e) ? new[] { F(e.Value), F(e.Error) } : ["", ""]),
            F(r.SigmaNernstEinstein.Value), F(r.SigmaNernstEinstein.Error), F(r.SigmaEinstein.Value), F(r.SigmaEinstein.Error), F(r.Haven),
            F(r.ShellCutoff, "F3"), F(r.CnLiOSolvent, "F3"),
            .. species.Select(n => r.CnLiOBySolvent.TryGetValue(n, out var c) ? F(c, "F3") : ""),
            F(r.CnLiOAnion, "F3"), F(r.CnLiF, "F3"), F(r.WallSeconds, "F1"),
        ];
        string F(double v, string format = "G4") => double.IsNaN(v) ? "nan" : v.ToString(format, ci);
        var csv = new StringBuilder();
        csv.Append(string.Join(",", head)).Append('\n');
        foreach (var r in results) csv.Append(string.Join(",", Row(r).Select(v => v.Contains(',') || v.Contains(' ') ? $"\"{v}\"" : v))).Append('\n');
        PackedBox.WriteAtomically(Path.Combine(OutputFolder, "results.csv"), csv.ToString());
        var md = new StringBuilder();
        var shellNote = Settings.ShellCutoff is { } set
            ? string.Create(ci, $"CN within {set} Å of Li+")
            : "CN within the shell radius (the first minimum of each composition's Li–O g(r))";
        md.Append(string.Create(ci, $"Screening at {Settings.Temperature} K with {ModelDescription}. D in 1e-10 m²/s, σ in mS/cm (± block standard errors, {Settings.Blocks} blocks); {shellNote}; per-solvent values as name value.\n\n"));
        md.Append("| composition | c (M) | ρ (g/cm³) | D Li+ | D anion | D solvent | D per solvent | σ NE | σ Einstein | Haven | shell (Å) | CN Li–O solv | CN Li–O per solvent | CN Li–O anion | CN Li–F |\n");
        md.Append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        string Pm(Estimate e) => $"{F(e.Value)} ± {F(e.Error, "G2")}";
        foreach (var r in results)
        {
            var dPer = string.Join("; ", r.DBySolvent.Select(p => $"{p.Key} {Pm(p.Value)}"));
            var cnPer = string.Join("; ", r.CnLiOBySolvent.Select(p => $"{p.Key} {F(p.Value, "F2")}"));
            md.Append($"| {r.Label} | {F(r.Concentration, "F3")} | {F(r.Density, "F3")} | {Pm(r.DLi)} | {Pm(r.DAnion)} | {Pm(r.DSolvent)} | {dPer} | {Pm(r.SigmaNernstEinstein)} | {Pm(r.SigmaEinstein)} | {F(r.Haven, "F2")} | {F(r.ShellCutoff, "F2")} | {F(r.CnLiOSolvent, "F2")} | {cnPer} | {F(r.CnLiOAnion, "F2")} | {F(r.CnLiF, "F2")} |\n");
        }
        PackedBox.WriteAtomically(Path.Combine(OutputFolder, "results.md"), md.ToString());
    }

    /// <summary>Reports progress about every 10% of a run and stops the run when cancelled.</summary>
    private sealed class Watcher(ElectrolyteScreening owner, int index, int count, string label, CancellationToken cancel) : IRunObserver
    {
        public string Stage { get; set; } = "";

        private long _every = 1;

        public void RunStarted(Simulation sim) => _every = Math.Max(1, (sim.RunEndStep - sim.RunStartStep) / 10);

        public void StepCompleted(Simulation sim)
        {
            cancel.ThrowIfCancellationRequested();
            var done = sim.Step - sim.RunStartStep;
            if (done % _every != 0) return;
            var t = Thermodynamics.Temperature(sim);
            owner.Report(index, count, label, Stage, done, sim.RunEndStep - sim.RunStartStep,
                string.Create(CultureInfo.InvariantCulture, $"T {t:F1} K, PE {sim.PotentialEnergy:F4} eV, V {sim.Box!.Volume:F1} Å³"));
        }

        public void RunFinished(Simulation sim) { }
    }

    /// <summary>Mean box volume over the last <c>count</c> steps of a run.</summary>
    private sealed class VolumeRecorder(int count) : IRunObserver
    {
        private double _sum;
        private int _n;

        public double Mean(double fallback) => _n > 0 ? _sum / _n : fallback;

        public void RunStarted(Simulation sim) { }

        public void StepCompleted(Simulation sim)
        {
            if (sim.RunEndStep - sim.Step >= count) return;
            _sum += sim.Box!.Volume;
            _n++;
        }

        public void RunFinished(Simulation sim) { }
    }

    /// <summary>Unwrapped positions (atom-ID order) every <c>every</c> steps, the run's first step included.</summary>
    private sealed class FrameRecorder(int every, int atoms) : IRunObserver
    {
        public List<double[]> Frames { get; } = [];

        public void RunStarted(Simulation sim) => Record(sim);

        public void StepCompleted(Simulation sim)
        {
            if ((sim.Step - sim.RunStartStep) % every == 0) Record(sim);
        }

        public void RunFinished(Simulation sim) { }

        private void Record(Simulation sim)
        {
            var a = sim.Atoms;
            var b = sim.Box!;
            var f = new double[3 * atoms];
            for (var i = 0; i < a.Count; i++)
            {
                var k = 3 * (a.Id[i] - 1);
                f[k] = a.X[i] + a.ImageA[i] * b.Lx;
                f[k + 1] = a.Y[i] + a.ImageB[i] * b.Ly;
                f[k + 2] = a.Z[i] + a.ImageC[i] * b.Lz;
            }
            Frames.Add(f);
        }
    }
}

/// <summary>The resume state: the settings and model it was made with, and the finished compositions' keys.</summary>
internal sealed record ScreeningState(string Settings, string Model, List<string> Finished);

/// <summary>Source-generated JSON (file-based apps run without reflection-based serialization).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ScreeningSettings))]
[JsonSerializable(typeof(ScreeningResult))]
[JsonSerializable(typeof(ScreeningState))]
internal sealed partial class ScreeningJson : JsonSerializerContext;
