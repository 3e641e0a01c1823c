namespace DeepMD.Sharp.Dynamics.Minimization;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// What every minimizer shares (LAMMPS' Min): setup, the energy/force evaluation with neighbor checks every
/// step, force norms, output at the steps thermo and dumps ask for (and at the last one), and the statistics.
/// A style implements <see cref="Iterate"/>. Energies are divided by the atom count when
/// <see cref="Normalize"/> is set, as LAMMPS does when thermo output is normalised.
/// </summary>
public abstract class Minimizer
{
    /// <summary>Smallest energy scale of the energy tolerance test.</summary>
    protected const double EpsEnergy = 1.0e-8;

    private int[] _imageA = [], _imageB = [], _imageC = [];
    private bool _boxChanges;

    /// <summary>Fixes with extra global degrees of freedom (fix box/relax), in fix order; empty for most runs.</summary>
    protected IMinimizerExtraDof[] Extra { get; private set; } = [];

    /// <summary>Forces on the extra degrees of freedom from the last evaluation (LAMMPS' fextra).</summary>
    protected double[] FExtra { get; private set; } = [];

    /// <summary>Whether the style can move extra global degrees of freedom (line-search styles; LAMMPS refuses damped dynamics).</summary>
    protected virtual bool SupportsExtraDof => false;

    protected Minimizer(Simulation simulation, MinimizeSettings settings, bool normalize)
    {
        Simulation = simulation;
        Settings = settings;
        Normalize = normalize;
    }

    public Simulation Simulation { get; }

    public MinimizeSettings Settings { get; }

    /// <summary>Energies and directional derivatives per atom (thermo_modify norm yes).</summary>
    public bool Normalize { get; }

    /// <summary>Energy at the current positions.</summary>
    protected double ECurrent { get; set; }

    /// <summary>Energy before the current iteration.</summary>
    protected double EPrevious { get; set; }

    /// <summary>Step length of the last line search.</summary>
    protected double AlphaFinal { get; set; }

    /// <summary>Iterations so far.</summary>
    protected int Iterations { get; set; }

    /// <summary>Energy and force evaluations so far.</summary>
    protected int Evaluations { get; set; }

    /// <summary>Number of atoms.</summary>
    protected int N => Simulation.Atoms.Count;

    /// <summary>Runs until a stopping criterion holds or <paramref name="maxIterations"/> iterations are done.</summary>
    public MinimizeResult Run(double etol, double ftol, int maxIterations, int maxEvaluations)
    {
        if (!(etol >= 0) || !(ftol >= 0)) throw new UserInputException($"minimize tolerances must be >= 0, got etol {etol} ftol {ftol}");
        if (maxIterations < 0 || maxEvaluations < 0) throw new UserInputException($"minimize needs non-negative maxiter and maxeval, got {maxIterations} {maxEvaluations}");
        var sim = Simulation;
        if (sim.Fixes.Any(f => f is Fixes.FixSetForce { SetsNonZeroForce: true }))
            throw new UserInputException("Cannot use non-zero forces in an energy minimization");
        var neighbor = sim.Neighbor;
        (int every, int delay, bool check) saved = (neighbor.Every, neighbor.Delay, neighbor.Check);
        var savedDt = sim.Timestep;
        neighbor.Every = 1;
        neighbor.Delay = 0;
        neighbor.Check = true;
        var dangerousBefore = sim.Verlet.DangerousBuilds;
        MinimizeStop stop;
        try
        {
            sim.RunStartStep = sim.Step;
            sim.RunEndStep = sim.Step + maxIterations;
            sim.Running = true;
            sim.Setup();
            Extra = [.. sim.Fixes.OfType<IMinimizerExtraDof>()];
            FExtra = new double[Extra.Sum(x => x.ExtraDof)];
            _boxChanges = sim.Fixes.Any(f => f.ChangesBox);
            if (Extra.Length > 0 && !SupportsExtraDof)
                throw new UserInputException("Cannot use a damped dynamics min style with fix box/relax");
            if (Extra.Length > 0 && sim.Decomposed is { Communicator.Size: > 1 })
                throw new UserInputException("fix box/relax is not supported with several ranks (the box would change on one rank's copy only); run the minimization on one rank");
            sim.BuildsAtRunStart = sim.Verlet.BuildCount;
            sim.DangerousAtRunStart = sim.Verlet.DangerousBuilds;
            RememberImages();
            Iterations = 0;
            Evaluations = 0;
            AlphaFinal = 0;
            SetupStyle();
            ECurrent = Energy();
            EPrevious = ECurrent;
            var einitial = ECurrent;
            var fnormInitial = Math.Sqrt(ForceTwoNormSquared());
            var fmaxInitial = Math.Sqrt(ForceInfNormSquared());
            sim.RunClock.Restart();
            try
            {
                foreach (var o in sim.Observers) o.RunStarted(sim);
                stop = Iterate(maxIterations, etol, ftol, maxEvaluations);
                if (stop != MinimizeStop.MaxIterations)
                {
                    // Early stop: thermo and dumps output the last step (LAMMPS re-evaluates forces first).
                    sim.RunEndStep = sim.Step;
                    ECurrent = EnergyForce();
                    foreach (var o in sim.Observers)
                    {
                        o.StepCompleted(sim);
                        if (o is Output.DumpWriter d && sim.Step % d.Every != 0) d.Write(sim);
                    }
                }
            }
            finally
            {
                sim.RunClock.Stop();
                foreach (var o in sim.Observers) o.RunFinished(sim);
            }
            return new MinimizeResult
            {
                Stop = stop,
                EnergyInitial = einitial,
                EnergyNextToLast = EPrevious,
                EnergyFinal = ECurrent,
                ForceTwoNormInitial = fnormInitial,
                ForceTwoNormFinal = Math.Sqrt(ForceTwoNormSquared()),
                ForceMaxComponentInitial = fmaxInitial,
                ForceMaxComponentFinal = Math.Sqrt(ForceInfNormSquared()),
                FinalAlpha = AlphaFinal,
                Iterations = Iterations,
                Evaluations = Evaluations,
                Seconds = sim.RunClock.Elapsed.TotalSeconds,
                NeighborBuilds = sim.Verlet.BuildCount - sim.BuildsAtRunStart,
                DangerousBuilds = sim.Verlet.DangerousBuilds - dangerousBefore,
            };
        }
        finally
        {
            sim.Running = false;
            (neighbor.Every, neighbor.Delay, neighbor.Check) = saved;
            sim.Timestep = savedDt;
        }
    }

    /// <summary>The style's iterations; returns why they stopped.</summary>
    protected abstract MinimizeStop Iterate(int maxIterations, double etol, double ftol, int maxEvaluations);

    /// <summary>Style-specific preparation after the setup force evaluation (before the first output).</summary>
    protected virtual void SetupStyle() { }

    /// <summary>
    /// Called after a neighbor rebuild wrapped atoms back into the box, with each atom's change of image counts,
    /// so stored reference positions can follow (LAMMPS' reset_coords).
    /// </summary>
    protected virtual void AtomsWrapped(int atom, int da, int db, int dc) { }

    /// <summary>Potential energy of the last evaluation plus the fixes' with <c>fix_modify energy yes</c> (LAMMPS' pe compute), normalised if asked.</summary>
    protected double Energy()
    {
        var e = Simulation.PotentialEnergy + Fixes.Fix.ThermoEnergySum(Simulation);
        if (Extra.Length > 0) e += ExtraEnergy();
        return Normalize ? e / N : e;
    }

    /// <summary>Σ of the extra degrees of freedom's energies; fills <see cref="FExtra"/> (LAMMPS' modify->min_energy).</summary>
    private double ExtraEnergy()
    {
        double e = 0;
        var offset = 0;
        foreach (var x in Extra)
        {
            e += x.MinEnergy(Simulation, FExtra.AsSpan(offset, x.ExtraDof));
            offset += x.ExtraDof;
        }
        return e;
    }

    /// <summary>
    /// Evaluates energy and forces at the current positions: neighbor check (every step), rebuild when needed,
    /// forces, then the fixes' <see cref="Fixes.Fix.MinPostForce"/> (e.g. setforce). Does not count as an evaluation;
    /// styles count their own (as LAMMPS does).
    /// </summary>
    protected double EnergyForce()
    {
        var sim = Simulation;
        var a = sim.Atoms;
        if (sim.Verlet.Decide(a.X.AsSpan(0, a.Count), a.Y.AsSpan(0, a.Count), a.Z.AsSpan(0, a.Count), _boxChanges ? sim.Box : null))
        {
            sim.RebuildNeighbors();
            FollowWrappedAtoms();
        }
        else
        {
            sim.Verlet.Refresh(a.X, a.Y, a.Z, sim.Box!.Cell);
        }
        sim.ComputeForces();
        foreach (var f in sim.Fixes) f.MinPostForce(sim);
        return Energy();
    }

    /// <summary>Σ f² over all 3N components.</summary>
    protected double ForceTwoNormSquared()
    {
        var a = Simulation.Atoms;
        double s = 0;
        for (var i = 0; i < a.Count; i++)
        {
            s += a.Fx[i] * a.Fx[i];
            s += a.Fy[i] * a.Fy[i];
            s += a.Fz[i] * a.Fz[i];
        }
        foreach (var f in FExtra) s += f * f;
        return s;
    }

    /// <summary>Largest squared force component.</summary>
    protected double ForceInfNormSquared()
    {
        var a = Simulation.Atoms;
        double m = 0;
        for (var i = 0; i < a.Count; i++)
            m = Math.Max(m, Math.Max(Math.Abs(a.Fx[i]), Math.Max(Math.Abs(a.Fy[i]), Math.Abs(a.Fz[i]))));
        var m2 = m * m;
        foreach (var f in FExtra) m2 = Math.Max(m2, f * f);
        return m2;
    }

    /// <summary>Largest squared per-atom force magnitude.</summary>
    protected double ForceMaxNormSquared()
    {
        var a = Simulation.Atoms;
        double m = 0;
        for (var i = 0; i < a.Count; i++)
            m = Math.Max(m, a.Fx[i] * a.Fx[i] + a.Fy[i] * a.Fy[i] + a.Fz[i] * a.Fz[i]);
        for (var i = 0; i < FExtra.Length; i += 3) m = Math.Max(m, FExtra[i] * FExtra[i]); // LAMMPS' fnorm_max takes every third one
        return m;
    }

    /// <summary>The squared norm the force tolerance is compared with (<see cref="MinimizeSettings.Norm"/>).</summary>
    protected double ToleranceNormSquared(double twoNormSquared) => Settings.Norm switch
    {
        ForceNormStyle.Max => ForceMaxNormSquared(),
        ForceNormStyle.Inf => ForceInfNormSquared(),
        _ => twoNormSquared,
    };

    /// <summary>LAMMPS' energy tolerance test between two successive energies.</summary>
    protected static bool EnergyConverged(double etol, double current, double previous) =>
        Math.Abs(current - previous) < etol * 0.5 * (Math.Abs(current) + Math.Abs(previous) + EpsEnergy);

    /// <summary>Starts the next iteration: advances the step and the iteration count.</summary>
    protected void BeginIteration()
    {
        Simulation.Step++;
        Iterations++;
    }

    /// <summary>Lets thermo and dumps print this step if it is one of theirs.</summary>
    protected void Output()
    {
        foreach (var o in Simulation.Observers) o.StepCompleted(Simulation);
    }

    private void RememberImages()
    {
        var a = Simulation.Atoms;
        _imageA = a.ImageA.AsSpan(0, a.Count).ToArray();
        _imageB = a.ImageB.AsSpan(0, a.Count).ToArray();
        _imageC = a.ImageC.AsSpan(0, a.Count).ToArray();
    }

    private void FollowWrappedAtoms()
    {
        var a = Simulation.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            int da = a.ImageA[i] - _imageA[i], db = a.ImageB[i] - _imageB[i], dc = a.ImageC[i] - _imageC[i];
            if ((da | db | dc) == 0) continue;
            AtomsWrapped(i, da, db, dc);
            _imageA[i] = a.ImageA[i];
            _imageB[i] = a.ImageB[i];
            _imageC[i] = a.ImageC[i];
        }
    }
}
