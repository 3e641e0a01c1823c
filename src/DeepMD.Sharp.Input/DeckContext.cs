namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Input.Geometry;
using DeepMD.Sharp.Input.Parsing;
using DeepMD.Sharp.Input.Styles;
using DeepMD.Sharp.Models.Backends;

/// <summary>
/// Everything a deck has set up so far: unit style, boundary, lattice, regions, variables, the
/// <see cref="Simulation"/> once a box exists, the pair style, thermo and dump settings, and where text goes.
/// Commands read and change this; the engine itself lives in <see cref="Simulation"/>.
/// </summary>
public sealed class DeckContext
{
    private Simulation? _simulation;

    public DeckContext(TextWriter screen, string workingDirectory)
    {
        Screen = screen;
        WorkingDirectory = workingDirectory;
        Out = new TeeWriter(this);
        Thermo = new ThermoOutput { Writer = Out };
    }

    /// <summary>The runner executing the deck (for include, jump, next and formulas).</summary>
    public DeckRunner Runner { get; internal set; } = null!;

    /// <summary>Terminal output.</summary>
    public TextWriter Screen { get; }

    /// <summary>
    /// The ranks this deck runs on when an MPI launcher started the process (every rank reads the whole deck; runs are
    /// decomposed, see <see cref="Dynamics.Domains.DecomposedRun"/>); null for a run on this process alone.
    /// </summary>
    public Domains.Communication.ICommunicator? Communicator { get; set; }

    /// <summary>The <c>processors</c> command's three values, or null for the default grid.</summary>
    public string[]? Processors { get; set; }

    /// <summary>Whether this process writes output files (rank 0, or the only process).</summary>
    public bool IsRootRank => Communicator is null || Communicator.Rank == 0;

    /// <summary>The log file (log.lammps by default), or null.</summary>
    public TextWriter? Log { get; set; }

    /// <summary>Writes to the screen and the log.</summary>
    public TextWriter Out { get; }

    /// <summary>Where output files (log, dumps, write_data) go when given as relative paths.</summary>
    public string WorkingDirectory { get; set; }

    /// <summary>The deck being read (for input paths relative to it).</summary>
    public string DeckDirectory { get; set; } = ".";

    /// <summary>File name of the outermost deck (names the last-good frame written when a run fails), or null.</summary>
    public string? DeckName { get; set; }

    /// <summary>Progress display attached to every run (a bar on a terminal, plain lines otherwise), or null.</summary>
    public IRunObserver? Progress { get; set; }

    /// <summary>Periodic checkpoints (<c>restart N FILE</c>), or null.</summary>
    public Dynamics.Checkpoints.RestartWriter? Restart { get; set; }

    /// <summary>Locks on restart files this deck writes (held until the session ends), by full path.</summary>
    public Dictionary<string, Core.Files.OutputLock> OutputLocks { get; } = new(StringComparer.Ordinal);

    /// <summary>Locks an output file for the rest of the session (once per file), so a second run cannot write it too.</summary>
    public void LockOutput(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (!OutputLocks.ContainsKey(full)) OutputLocks[full] = Core.Files.OutputLock.Acquire(path, what);
    }

    public UnitSystem Units { get; set; } = UnitSystem.Lj;

    /// <summary>3, or 2 after <c>dimension 2</c> (before the box exists); the simulation takes it when created.</summary>
    public int Dimension { get; set; } = 3;

    /// <summary>Periodicity of x, y, z (<c>boundary</c>).</summary>
    public bool[] Periodic { get; } = [true, true, true];

    /// <summary>The <c>boundary</c> letters per face (xlo xhi ylo yhi zlo zhi: p, f, s or m); the box takes them when created.</summary>
    public string Boundary { get; set; } = "pppppp";

    public Lattice? Lattice { get; set; }

    public Dictionary<string, Region> Regions { get; } = [];

    public Dictionary<string, DeckVariable> Variables { get; } = [];

    public IPairStyle? PairStyle { get; set; }

    /// <summary>The deck's atom_style: atomic (default), charge, bond, angle, molecular or full.</summary>
    public string AtomStyle { get; set; } = "atomic";

    public string? PairStyleName { get; set; }

    /// <summary>Bond/angle/dihedral/improper styles and special_bonds (defined before or after the box; the simulation shares it).</summary>
    public Dynamics.Bonded.BondedForces Bonded { get; } = new();

    /// <summary>Molecule templates by id (<c>molecule</c>).</summary>
    public Dictionary<string, Commands.MoleculeTemplate> MoleculeTemplates { get; } = [];

    /// <summary>Whether the atom style holds bonds (bond, angle, molecular, full).</summary>
    public bool MolecularStyle => AtomStyle is "bond" or "angle" or "molecular" or "full";

    public ThermoOutput Thermo { get; }

    public Dictionary<string, DumpWriter> Dumps { get; } = [];

    /// <summary>The <c>dump h5md</c> dumps by ID (written at the end of each run).</summary>
    public Dictionary<string, Output.H5mdDumpWriter> H5mdDumps { get; } = [];

    /// <summary>Atom groups by name (<c>group</c>); <c>all</c> always exists.</summary>
    public Dictionary<string, Dynamics.Groups.AtomGroup> Groups { get; } = new() { ["all"] = Dynamics.Groups.AtomGroup.All };

    /// <summary>Looks up a group by name, or fails naming the groups that exist.</summary>
    public Dynamics.Groups.AtomGroup Group(string name) =>
        Groups.TryGetValue(name, out var g) ? g
        : throw new UserInputException($"group '{name}' does not exist (defined: {string.Join(" ", Groups.Keys)})");

    /// <summary>Minimizer style and settings (<c>min_style</c> starts from defaults, <c>min_modify</c> changes them).</summary>
    public Dynamics.Minimization.MinimizeSettings Minimize { get; set; } = new();

    /// <summary>Element names by type (from pair_coeff * * El ...), when known.</summary>
    public string[]? Elements { get; set; }

    /// <summary>Whether the simulation exists (a box was created or read).</summary>
    public bool HasSimulation => _simulation is not null;

    /// <summary>The simulation; errors if no box exists yet.</summary>
    public Simulation Simulation =>
        _simulation ?? throw new UserInputException("this command needs a simulation box; use create_box or read_data first");

    /// <summary>
    /// The backends <c>pair_style deepmd</c> chooses from, and the device MD loop runs may use (the registry's
    /// <see cref="Dynamics.Device.IDeviceLoopFactory"/>); <see cref="BackendRegistry.Default"/> unless set.
    /// </summary>
    public BackendRegistry Backends { get; set; } = BackendRegistry.Default;

    /// <summary>The commands and styles this deck can use; <see cref="StyleRegistry.Default"/> unless set.</summary>
    public StyleRegistry Styles { get; set; } = StyleRegistry.Default;

    /// <summary>Creates the simulation (once per deck).</summary>
    public Simulation CreateSimulation()
    {
        if (_simulation is not null) throw new UserInputException("a simulation box already exists; create_box and read_data can be used once");
        _simulation = new Simulation(Units) { Warn = Out.WriteLine, DeviceLoopFactory = Backends.Service<Dynamics.Device.IDeviceLoopFactory>(), Dimension = Dimension };
        if (_neighborSkin is { } s) _simulation.Neighbor.Skin = s;
        _simulation.Neighbor.Every = NeighborEvery;
        _simulation.Neighbor.Delay = NeighborDelay;
        _simulation.Neighbor.Check = NeighborCheck;
        if (_timestep is { } dt) _simulation.Timestep = dt;
        if (Communicator is { } ranks) _simulation.Decomposed = new Dynamics.Domains.DecomposedRun(ranks, Processors);
        _simulation.StorageOrder.Every = SortEvery;
        _simulation.StorageOrder.BinSize = SortBinSize;
        _simulation.Atoms.Style = AtomStyle;
        _simulation.Bonded = Bonded;
        ApplyNeighborExclusions();
        return _simulation;
    }

    /// <summary>
    /// The coefficient sections of a data file just read (LAMMPS' read_data): Pair Coeffs / PairIJ Coeffs go to the pair
    /// style, Bond/Angle/Dihedral/Improper Coeffs to the bonded styles, each of which must be defined before read_data.
    /// </summary>
    public void ApplyDataCoeffs(Simulation sim)
    {
        var coeffs = sim.Atoms.Topology.Coeffs;
        foreach (var (name, (_, lines)) in coeffs.ToList())
        {
            var key = name.ToLowerInvariant();
            foreach (var line in lines)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                switch (key)
                {
                    case "pair coeffs":
                    case "pairij coeffs":
                        if (PairStyle is null) throw new UserInputException($"read_data: Must define pair_style before {name}");
                        if (key == "pair coeffs") words.Insert(1, words[0]);
                        PairStyle.Coeff(this, new DeckArguments("pair_coeff", words));
                        sim.Potential = null;
                        break;
                    case "bond coeffs":
                        if (Bonded.Bond is null) throw new UserInputException("read_data: Must define bond_style before Bond Coeffs");
                        Commands.BondedStyleNames.Coeff(this, new DeckArguments("bond_coeff", words), Bonded.Bond, "bond", () => sim.Atoms.Topology.BondTypes);
                        break;
                    case "angle coeffs":
                        if (Bonded.Angle is null) throw new UserInputException("read_data: Must define angle_style before Angle Coeffs");
                        Commands.BondedStyleNames.Coeff(this, new DeckArguments("angle_coeff", words), Bonded.Angle, "angle", () => sim.Atoms.Topology.AngleTypes);
                        break;
                    case "dihedral coeffs":
                        if (Bonded.DihedralStyle is null) throw new UserInputException("read_data: Must define dihedral_style before Dihedral Coeffs");
                        if (Bonded.Dihedral is { } dihedral)
                            Commands.BondedStyleNames.Coeff(this, new DeckArguments("dihedral_coeff", words), dihedral, "dihedral", () => sim.Atoms.Topology.DihedralTypes);
                        break;
                    case "improper coeffs":
                        if (Bonded.ImproperStyle is null) throw new UserInputException("read_data: Must define improper_style before Improper Coeffs");
                        break;
                    default:
                        throw new UserInputException($"read_data: the {name} section (class2 cross terms) is not supported; remove it or use a data file without it");
                }
            }
            if (key is "pair coeffs" or "pairij coeffs" or "bond coeffs" or "angle coeffs" || key == "dihedral coeffs" && Bonded.Dihedral is not null) coeffs.Remove(name);
        }
    }

    private double? _neighborSkin;
    private double? _timestep;

    /// <summary>Neighbor skin set before the box exists.</summary>
    public void SetSkin(double skin)
    {
        _neighborSkin = skin;
        if (_simulation is not null) _simulation.Neighbor.Skin = skin;
    }

    public void SetTimestep(double dt)
    {
        _timestep = dt;
        if (_simulation is not null) _simulation.Timestep = dt;
    }

    /// <summary><c>atom_modify sort N BINSIZE</c> (LAMMPS' default 1000 0.0).</summary>
    public int SortEvery { get; set; } = 1000;

    public double SortBinSize { get; set; }

    public int NeighborEvery { get; set; } = 1;

    public int NeighborDelay { get; set; }

    public bool NeighborCheck { get; set; } = true;

    /// <summary>
    /// The box is triclinic in LAMMPS' sense (a prism region, a data file's tilt line, <c>change_box … triclinic</c>),
    /// possibly with zero tilts, so tilt changes are allowed; such a box computes as an orthogonal one
    /// (<see cref="Dynamics.Simulation.TriclinicStyle"/>).
    /// </summary>
    public bool TriclinicBox
    {
        get => HasSimulation && Simulation.TriclinicStyle;
        set => Simulation.TriclinicStyle = value;
    }

    /// <summary><c>neigh_modify exclude</c> rules in order: ("type", M, N, "", "") or ("group", 0, 0, G1, G2).</summary>
    public List<(string Kind, int Type1, int Type2, string Group1, string Group2)> NeighborExclusions { get; } = [];

    /// <summary>Hands the exclusion rules to the simulation (when it exists) as a pair predicate on storage indices.</summary>
    public void ApplyNeighborExclusions()
    {
        if (_simulation is not { } sim) return;
        if (NeighborExclusions.Count == 0)
        {
            sim.NeighborExclusion = null;
            return;
        }
        var rules = NeighborExclusions.ToArray();
        sim.NeighborExclusion = (i, j) =>
        {
            var a = sim.Atoms;
            foreach (var r in rules)
            {
                if (r.Kind == "type")
                {
                    int ti = a.Type[i] + 1, tj = a.Type[j] + 1;
                    if ((ti == r.Type1 && tj == r.Type2) || (ti == r.Type2 && tj == r.Type1)) return true;
                }
                else if (Groups.TryGetValue(r.Group1, out var g1) && Groups.TryGetValue(r.Group2, out var g2))
                {
                    int ii = a.Id[i], jj = a.Id[j];
                    if ((g1.Contains(ii) && g2.Contains(jj)) || (g2.Contains(ii) && g1.Contains(jj))) return true;
                }
            }
            return false;
        };
    }

    /// <summary><c>comm_style tiled</c> was given (LAMMPS needs it for balance rcb); brick by default.</summary>
    public bool CommStyleTiled { get; set; }

    /// <summary><c>newton</c>'s bond setting; LAMMPS refuses to change it once the box exists.</summary>
    public bool NewtonBond { get; set; } = true;

    /// <summary>Resolves an input file: relative to the deck's folder, else to the working directory.</summary>
    public string InputPath(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        var nearDeck = Path.Combine(DeckDirectory, path);
        if (File.Exists(nearDeck)) return nearDeck;
        var nearCwd = Path.Combine(WorkingDirectory, path);
        return File.Exists(nearCwd) ? nearCwd : nearDeck;
    }

    /// <summary>Resolves an output file relative to the working directory.</summary>
    public string OutputPath(string path) => Path.IsPathRooted(path) ? path : Path.Combine(WorkingDirectory, path);

    /// <summary>Text writer that duplicates to screen and log.</summary>
    private sealed class TeeWriter(DeckContext owner) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            owner.Screen.Write(value);
            owner.Log?.Write(value);
        }

        public override void Write(string? value)
        {
            owner.Screen.Write(value);
            owner.Log?.Write(value);
        }

        public override void WriteLine(string? value)
        {
            owner.Screen.WriteLine(value);
            owner.Log?.WriteLine(value);
        }

        public override void Flush()
        {
            owner.Screen.Flush();
            owner.Log?.Flush();
        }
    }
}
