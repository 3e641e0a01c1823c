namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;

/// <summary>
/// One Nosé–Hoover chain, two execution places: the host <see cref="FixNvt"/> and the device MD loop's
/// <see cref="NoseHooverThermostat"/> (what <c>GpuMolecularDynamics</c> drives: the temperature comes from outside, the
/// returned velocity factor is applied outside) run the same <see cref="NoseHooverChain"/> functions. Here the device
/// loop's protocol is played on the host (same forces, same temperature sums), so any divergence between the two
/// places (equations, ramp, order of targets and masses, checkpoint layout) shows as a difference in the last bit.
/// </summary>
[TestFixture]
public class NoseHooverChainSharedTests
{
    /// <summary>An lj crystal of 108 atoms with random velocities.</summary>
    private static Simulation NewLj(Fix fix)
    {
        var sim = new Simulation(UnitSystem.Lj);
        const int n = 3;
        var a = Math.Pow(4 / 0.8442, 1.0 / 3);
        sim.CreateBox(new SimulationBox(0, n * a, 0, n * a, 0, n * a), 1);
        sim.SetMass(0, 1.0);
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                for (var k = 0; k < n; k++)
                    foreach (var b in basis)
                        sim.Atoms.Add(id++, 0, (i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a);
        VelocityGenerator.Create(sim, 2.0, 4928459, new VelocityOptions());
        var lj = new LennardJonesCut(1, 2.5);
        lj.SetCoefficients(0, 0, 1.0, 1.0);
        sim.Potential = lj;
        sim.Fixes.Add(fix);
        return sim;
    }

    /// <summary>
    /// The device loop's step on host arrays: thermostat factor from the ramp fraction, kick and drift, forces, kick,
    /// thermostat factor from the measured temperature (GpuMolecularDynamics.Advance), the chain handed over through
    /// fix nvt's checkpoint layout (DeckDeviceLoop).
    /// </summary>
    private sealed class DeviceProtocolNvt(string id, double tStart, double tStop, double tDamp, int chain, int loops, double drag) : Fix(id)
    {
        private NoseHooverThermostat? _thermostat;
        private double[]? _pending;
        private double _dtv, _dtf;
        private Simulation? _sim;

        public override string Style => "device-protocol-nvt";

        public override bool Integrates => true;

        public NoseHooverThermostat Thermostat => _thermostat!;

        public override void Init(Simulation sim)
        {
            _sim = sim;
            _dtv = sim.Timestep;
            _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
            var fresh = new NoseHooverThermostat(tStart, tStop, tDamp, chain, loops, drag, sim.Timestep, sim.Units.Boltz);
            // a new device loop per run: continue the previous chain, as DeckDeviceLoop hands it over
            if ((_pending ?? _thermostat?.Save()) is { } state) fresh.Load(state);
            _pending = null;
            _thermostat = fresh;
        }

        public override void Setup(Simulation sim) =>
            _thermostat!.Setup(Thermodynamics.Temperature(sim), Thermodynamics.DegreesOfFreedom(sim));

        public override void InitialIntegrate(Simulation sim)
        {
            Apply(_thermostat!.Initial(NoseHooverChain.RampFraction(sim.Step, sim.RunStartStep, sim.RunEndStep), EachLoop));
            var a = sim.Atoms;
            for (var i = 0; i < a.Count; i++)
            {
                var dtfm = _dtf / sim.Masses[a.Type[i]];
                a.Vx[i] += dtfm * a.Fx[i];
                a.Vy[i] += dtfm * a.Fy[i];
                a.Vz[i] += dtfm * a.Fz[i];
                a.X[i] += _dtv * a.Vx[i];
                a.Y[i] += _dtv * a.Vy[i];
                a.Z[i] += _dtv * a.Vz[i];
            }
        }

        public override void FinalIntegrate(Simulation sim)
        {
            var a = sim.Atoms;
            for (var i = 0; i < a.Count; i++)
            {
                var dtfm = _dtf / sim.Masses[a.Type[i]];
                a.Vx[i] += dtfm * a.Fx[i];
                a.Vy[i] += dtfm * a.Fy[i];
                a.Vz[i] += dtfm * a.Fz[i];
            }
            Apply(_thermostat!.Final(Thermodynamics.Temperature(sim), Thermodynamics.DegreesOfFreedom(sim), EachLoop));
        }

        /// <summary>
        /// With tloop 1 the device applies the returned factor; with more sub-steps the host scales the velocities by each
        /// sub-step's factor (a different rounding of the same product), which this loop then follows to compare bits.
        /// </summary>
        private Action<double>? EachLoop => loops > 1 ? Scale : null;

        private void Apply(double factor)
        {
            if (loops == 1) Scale(factor);
        }

        private void Scale(double factor)
        {
            var a = _sim!.Atoms;
            for (var i = 0; i < a.Count; i++)
            {
                a.Vx[i] *= factor;
                a.Vy[i] *= factor;
                a.Vz[i] *= factor;
            }
        }

        public override double CoupledEnergy(Simulation sim) => _thermostat!.Energy;

        public override double[] SaveState() => _thermostat!.Save();

        public override void RestoreState(double[] state) => _pending = state;
    }

    private static long[] Bits(IEnumerable<double> v) => [.. v.Select(BitConverter.DoubleToInt64Bits)];

    private static void AssertSameBits(Simulation host, FixNvt nvt, Simulation device, DeviceProtocolNvt protocol, string when)
    {
        var n = host.Atoms.Count;
        Assert.That(Bits(protocol.SaveState()), Is.EqualTo(Bits(nvt.SaveState())), $"chain state (η, η̇, η̈, T, dof) {when}");
        Assert.That(Bits([protocol.CoupledEnergy(device)]), Is.EqualTo(Bits([nvt.CoupledEnergy(host)])), $"chain energy {when}");
        Assert.That(Bits(device.Atoms.Vx.Take(n)), Is.EqualTo(Bits(host.Atoms.Vx.Take(n))), $"vx {when}");
        Assert.That(Bits(device.Atoms.Vy.Take(n)), Is.EqualTo(Bits(host.Atoms.Vy.Take(n))), $"vy {when}");
        Assert.That(Bits(device.Atoms.Vz.Take(n)), Is.EqualTo(Bits(host.Atoms.Vz.Take(n))), $"vz {when}");
        Assert.That(Bits(device.Atoms.X.Take(n)), Is.EqualTo(Bits(host.Atoms.X.Take(n))), $"x {when}");
    }

    [TestCase(3, 1, 0.0, TestName = "Shared NH chain: device protocol equals host fix nvt bit for bit (tchain 3)")]
    [TestCase(4, 3, 0.2, TestName = "Shared NH chain: device protocol equals host fix nvt bit for bit (tchain 4, tloop 3, drag)")]
    [TestCase(1, 2, 0.0, TestName = "Shared NH chain: device protocol equals host fix nvt bit for bit (tchain 1, tloop 2)")]
    public void DeviceProtocolEqualsHostFixBitForBit(int chain, int loops, double drag)
    {
        var nvt = new FixNvt("1", 1.5, 2.5, 0.5, chain, loops, drag);
        var protocol = new DeviceProtocolNvt("1", 1.5, 2.5, 0.5, chain, loops, drag);
        var host = NewLj(nvt);
        var device = NewLj(protocol);

        host.Run(40);
        device.Run(40);
        AssertSameBits(host, nvt, device, protocol, "after the first run");
        Assert.That(nvt.Eta[0], Is.Not.EqualTo(0.0), "the chain should have moved");

        // The second run continues the chain (with a ramp); the device side takes the host's checkpoint state, as the
        // deck's device loop does, and the two must stay identical.
        protocol.RestoreState(nvt.SaveState());
        host.Run(30);
        device.Run(30);
        AssertSameBits(host, nvt, device, protocol, "after the second run");
    }

    [Test]
    public void TheDeviceThermostatReadsAndWritesFixNvtsCheckpointLayout()
    {
        var nvt = new FixNvt("1", 1.5, 1.5, 0.5, chain: 4);
        var host = NewLj(nvt);
        host.Run(10);
        var saved = nvt.SaveState();
        var thermostat = new NoseHooverThermostat(1.5, 1.5, 0.5, 4, 1, 0.0, host.Timestep, host.Units.Boltz);
        Assert.That(saved, Has.Length.EqualTo(thermostat.Chain.StateLength + 2), "η, η̇ (with the closing zero), η̈, T, dof");
        thermostat.Load(saved);
        Assert.That(Bits(thermostat.Save()), Is.EqualTo(Bits(saved)));
        Assert.That(thermostat.Eta, Is.EqualTo(nvt.Eta));
        Assert.Throws<ArgumentException>(() => thermostat.Load(saved[..^1]));
    }
}
