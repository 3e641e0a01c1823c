#:project ../../src/DeepMD.Sharp/DeepMD.Sharp.csproj
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false

// Relaxes the 64-molecule water box with the shipped water potential by conjugate gradients and writes the
// relaxed structure as a LAMMPS data file; the deck equivalent is
//   read_data ../water/water.lmp / mass 1 16 / mass 2 2 / pair_style deepmd ... / pair_coeff * * O H
//   thermo 10 / thermo_style custom step pe fnorm fmax / minimize 1e-8 1e-3 50 500 / write_data water-relaxed.data
// Run from this folder: dotnet run water-relax.cs

using DeepMD.Sharp.Dynamics.Minimization;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var sim = SimulationFactory.FromLammpsData(Path.Combine(here, "../water/water.lmp"), UnitSystem.Metal);
sim.SetMass(0, 16);
sim.SetMass(1, 2);
sim.Neighbor.Skin = 2.0;
var model = ModelLoader.Load(Path.Combine(here, "../../potentials/water/water.dp"));
sim.Potential = new DeepPotential(model, ["O", "H"]);
sim.Observers.Add(new ThermoOutput { Writer = Console.Out, Every = 10, Keywords = ["step", "pe", "fnorm", "fmax"] });

var result = sim.Minimize(etol: 1e-8, ftol: 1e-3, maxIterations: 50, maxEvaluations: 500,
    new MinimizeSettings { Style = MinimizeStyle.ConjugateGradient, LineSearch = LineSearchStyle.Quadratic });
Console.WriteLine($"stopped on {result.Stop.Describe()} after {result.Iterations} iterations, {result.Evaluations} force evaluations");
Console.WriteLine($"energy {result.EnergyInitial:F6} -> {result.EnergyFinal:F6} eV, force norm {result.ForceTwoNormInitial:G6} -> {result.ForceTwoNormFinal:G6} eV/A");
LammpsDataWriter.Write(Path.Combine(Directory.GetCurrentDirectory(), "water-relaxed.data"), sim.Box!, sim.Atoms, sim.TypeCount, sim.Masses, sim.Step, sim.Units.Name);
