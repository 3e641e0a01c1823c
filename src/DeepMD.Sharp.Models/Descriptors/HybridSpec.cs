namespace DeepMD.Sharp.Models.Descriptors;

using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// DeePMD-kit's <c>hybrid</c> descriptor: a list of sub-descriptors (<see cref="Parts"/>), each with its own rcut and sel,
/// whose outputs are concatenated in list order for the fitting net. The model's neighbor list is the hybrid's
/// (DeePMD-kit's <c>get_rcut</c>/<c>get_sel</c>/<c>mixed_types</c>: the largest rcut; mixed types when any part is, then
/// one block of the largest Σsel, else per type the largest sel), and every part takes its slots out of that list
/// (<see cref="Evaluation.HybridReference.AssignSlots"/>), so a part with a smaller rcut also sees the neighbors between
/// its rcut and the hybrid's, as in DeePMD-kit.
/// </summary>
/// <remarks>
/// The base class's <see cref="DescriptorSpec.Sel"/> is the hybrid's list shape; the slot array the reference evaluator
/// hands around for a center is the parts' slots one after the other (<see cref="SlotStart"/>, length
/// <see cref="ConcatenatedSlotCount"/>). Parts computed over the whole frame (DPA-2, DPA-3: message passing) are refused.
/// </remarks>
public sealed class HybridSpec : DescriptorSpec
{
    public HybridSpec(IReadOnlyList<DescriptorSpec> parts)
        : base(parts[0].TypeCount, parts.Max(p => p.Rcut), parts.Min(p => p.RcutSmooth), HybridSel(parts), parts[0].EnvProtection,
            [], false, [], [], [], 0, [], CommonPrecision(parts))
    {
        Parts = parts;
        MixedTypes = parts.Any(p => p.Neighbors.MixedTypes);
        OutputStart = new int[parts.Count + 1];
        SlotStart = new int[parts.Count + 1];
        for (var k = 0; k < parts.Count; k++)
        {
            OutputStart[k + 1] = OutputStart[k] + parts[k].OutputSize;
            SlotStart[k + 1] = SlotStart[k] + parts[k].SlotCount;
        }
    }

    /// <summary>The descriptor's type name.</summary>
    public const string DescriptorType = "hybrid";

    /// <summary>How it is read: type <c>hybrid</c>, a <c>list</c> of Descriptor dicts each read by its own reader.</summary>
    public static readonly DescriptorReader ReadAs = new(DescriptorType, [], Read);

    /// <summary>The sub-descriptors, in list (and output) order.</summary>
    public IReadOnlyList<DescriptorSpec> Parts { get; }

    /// <summary>Whether the hybrid's neighbor list is one distance-sorted block for all types (any part is mixed-types).</summary>
    public bool MixedTypes { get; }

    /// <summary>Where each part's output starts in the concatenated descriptor; length parts + 1.</summary>
    public int[] OutputStart { get; }

    /// <summary>Where each part's slots start in a center's slot array; length parts + 1.</summary>
    public int[] SlotStart { get; }

    /// <summary>Length of a center's slot array: Σ over parts of their slot counts.</summary>
    public int ConcatenatedSlotCount => SlotStart[^1];

    public override string TypeName => DescriptorType;

    public override int OutputSize => OutputStart[^1];

    public override NeighborRequirements Neighbors => new(Rcut, Sel, MixedTypes, DynamicSel: false);

    /// <inheritdoc />
    public override Evaluation.IReferenceDescriptor Reference => _reference ??= new Evaluation.HybridReference(this);

    private Evaluation.IReferenceDescriptor? _reference;

    public override int ParameterCount => Parts.Sum(p => p.ParameterCount);

    public override IReadOnlyList<string> Describe()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            string.Create(ci, $"rcut             {Rcut} Å   (the largest of the parts; neighbor list {(MixedTypes ? $"mixed types, the {Sel[0]} nearest" : $"per type, sel [{string.Join(", ", Sel)}]")})"),
            $"sub-descriptors  {Parts.Count}: {string.Join(" + ", Parts.Select(p => p.TypeName))}   (outputs concatenated, descriptor size {OutputSize})",
        };
        for (var k = 0; k < Parts.Count; k++)
        {
            var p = Parts[k];
            lines.Add($"  [{k}] {p.TypeName}   (descriptor columns {OutputStart[k]}..{OutputStart[k + 1] - 1}, precision {p.Precision})");
            lines.AddRange(p.Describe().Select(l => "      " + l));
            if (p.ExcludeTypes.Count > 0)
                lines.Add($"      exclude_types    [{string.Join(", ", p.ExcludeTypes.Select(e => $"({e.A},{e.B})"))}] (type indices)");
        }
        return lines;
    }

    /// <summary>DeePMD-kit's hybrid <c>get_sel</c>: mixed types → [max over parts of Σsel]; else per type the max over parts.</summary>
    private static int[] HybridSel(IReadOnlyList<DescriptorSpec> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("a hybrid descriptor needs at least one part", nameof(parts));
        if (parts.Any(p => p.Neighbors.MixedTypes)) return [parts.Max(p => p.SlotCount)];
        var nt = parts[0].TypeCount;
        var sel = new int[nt];
        for (var t = 0; t < nt; t++) sel[t] = parts.Max(p => p.Sel[t]);
        return sel;
    }

    private static string CommonPrecision(IReadOnlyList<DescriptorSpec> parts)
    {
        var distinct = parts.Select(p => p.Precision).Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : "mixed (" + string.Join(", ", parts.Select(p => p.Precision)) + ")";
    }

    /// <summary>Reads a <c>hybrid</c> Descriptor dict (DeePMD-kit's hybrid.py <c>serialize</c>: @version 1 and <c>list</c>).</summary>
    private static DescriptorSpec Read(ModelNode d, int nt)
    {
        Loading.ModelReader.CheckClass(d, "Descriptor", 1, 1);
        var list = d["list"].AsList();
        if (list.Count == 0) throw d["list"].Error("a hybrid descriptor needs at least one sub-descriptor in 'list'");
        var parts = new List<DescriptorSpec>();
        foreach (var item in list)
        {
            Loading.ModelReader.CheckClass(item, "Descriptor", 1, 4);
            var type = item["type"].AsString();
            if (type == DescriptorType)
                throw item["type"].Error("a hybrid descriptor inside a hybrid descriptor is not supported; list its parts directly");
            var reader = Loading.DescriptorReaders.Find(type) ?? throw item["type"].Error(
                $"descriptor type '{type}' is not supported; supported: {string.Join(", ", Loading.DescriptorReaders.Names)}");
            var part = reader.Read(item, nt);
            if (part.FrameReference is not null || part.Neighbors.DynamicSel)
                throw item["type"].Error($"'{type}' inside a hybrid descriptor is not supported: its message passing needs the whole frame "
                    + "(this engine runs se_e2_a, se_e2_r, se_atten and se_atten_v2 as parts of a hybrid); evaluate the model with DeePMD-kit");
            if (part.TypeCount != nt) throw item.Error($"sub-descriptor has {part.TypeCount} types, the model has {nt}");
            parts.Add(part);
        }
        return new HybridSpec(parts);
    }
}
