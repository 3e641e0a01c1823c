namespace DeepMD.Sharp.Models.Backends;

using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// One backend's evaluator for one descriptor type: the CPU backend's se_e2_a evaluator in float32, the GPU backend's
/// se_e2_r evaluator, ... A backend (<see cref="BackendInfo"/>) offers one provider per descriptor it implements; adding a
/// descriptor is adding a spec and one provider per backend, registered in a <see cref="BackendRegistry"/>. Providers
/// only construct evaluators; they never evaluate.
/// </summary>
public interface IEvaluatorProvider
{
    /// <summary>The backend this provider belongs to (<see cref="BackendInfo.Name"/>: <c>cpu-f64</c>, <c>gpu-f32</c>, ...).</summary>
    string Backend { get; }

    /// <summary>
    /// The descriptor type it evaluates (<see cref="Descriptors.DescriptorSpec.TypeName"/>: <c>se_e2_a</c>, <c>se_r</c>),
    /// or <see cref="AnyDescriptor"/>.
    /// </summary>
    string Descriptor { get; }

    /// <summary>Among providers of one backend for one descriptor, the higher priority is asked first.</summary>
    int Priority { get; }

    /// <summary>Whether it can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    bool Supports(DeepPotModel model, out string reason);

    /// <summary>Creates the evaluator (the caller disposes it when it is <see cref="IDisposable"/>).</summary>
    IModelEvaluator Create(DeepPotModel model);

    /// <summary>The <see cref="Descriptor"/> of a provider that takes every descriptor (the reference backend's).</summary>
    public const string AnyDescriptor = "*";
}
