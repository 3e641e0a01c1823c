#:project ../../src/DeepMD.Sharp/DeepMD.Sharp.csproj
#:property TreatWarningsAsErrors=false
#:property GenerateDocumentationFile=false

// The water deck (examples/water/in.water) written against the C# API instead of as a deck:
// 64 H2O with the shipped water potential, Nosé–Hoover NVT at 330 K, thermo every 20 steps, a dump.
// Referencing the DeepMD.Sharp library gives the CPU and GPU backends; DeepPotential picks one as the deck's
// pair_style deepmd does and prints the same "deepmd: ... backend ..." line (docs/reproducibility.md).
// Run from this folder: dotnet run water-nvt.cs

using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Potentials;

var here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Directory.GetCurrentDirectory();
var sim = SimulationFactory.FromLammpsData(Path.Combine(here, "../water/water.lmp"), UnitSystem.Metal);  // read_data
sim.SetMass(0, 16);                                                                                       // mass 1 16
sim.SetMass(1, 2);                                                                                        // mass 2 2
sim.Neighbor.Skin = 2.0;                                                                                  // neighbor 2.0 bin
sim.Neighbor.Every = 10;                                                                                  // neigh_modify every 10 delay 0 check no
sim.Neighbor.Check = false;
var model = ModelLoader.Load(Path.Combine(here, "../../potentials/water/water.dp"));
sim.Potential = new DeepPotential(model, ["O", "H"]);                                                     // pair_style deepmd water.dp + pair_coeff * * O H
VelocityGenerator.Create(sim, 330.0, 23456789, new VelocityOptions());                                   // velocity all create 330.0 23456789
sim.Fixes.Add(new FixNvt("1", 330.0, 330.0, 0.5));                                                       // fix 1 all nvt temp 330 330 0.5
sim.Timestep = 0.0005;                                                                                    // timestep 0.0005
sim.Observers.Add(new ThermoOutput { Writer = Console.Out, Every = 20, Keywords = ["step", "pe", "ke", "etotal", "temp", "press", "vol"] });
using var dump = new DumpWriter("1", DumpStyle.Custom, 100, "water-api.dump", ["id", "type", "x", "y", "z"]);
sim.Observers.Add(dump);
sim.Run(200);                                                                                             // run 200

Console.WriteLine($"final T = {Thermodynamics.Temperature(sim):F3} K, PE = {sim.PotentialEnergy:F6} eV");
