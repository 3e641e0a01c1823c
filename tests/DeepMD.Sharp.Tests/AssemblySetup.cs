namespace DeepMD.Sharp.Tests;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models.Backends;

/// <summary>
/// Registers the CPU backend in <see cref="BackendRegistry.Default"/> before any test, as the <c>dpsharp</c> program
/// does at start-up, so decks and commands run on it as they do for users. GPU tests register the GPU backend themselves.
/// </summary>
[SetUpFixture]
public class AssemblySetup
{
    [OneTimeSetUp]
    public void RegisterBackends() => CpuBackends.Register(BackendRegistry.Default);
}
