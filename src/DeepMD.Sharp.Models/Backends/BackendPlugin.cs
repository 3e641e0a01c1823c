namespace DeepMD.Sharp.Models.Backends;

/// <summary>Something that adds backends to a <see cref="BackendRegistry"/> (the umbrella <c>DeepMD.Sharp</c> library).</summary>
public interface IBackendPlugin
{
    /// <summary>Adds this plug-in's backends, evaluator providers and services to <paramref name="registry"/>; idempotent.</summary>
    void Register(BackendRegistry registry);
}

/// <summary>
/// Names the <see cref="IBackendPlugin"/> of an assembly (a public type with a parameterless constructor). Only the
/// assembly called <see cref="BackendRegistry.ShippedBackendsAssembly"/> is consulted, when the program has it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class BackendPluginAttribute(Type plugin) : Attribute
{
    /// <summary>The <see cref="IBackendPlugin"/> type.</summary>
    public Type Plugin { get; } = plugin;
}
