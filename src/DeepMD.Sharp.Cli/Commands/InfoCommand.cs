namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;

/// <summary><c>dpsharp info MODEL</c>: what a model file holds.</summary>
public static class InfoCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Argument<string>("model") { Description = "DeePMD-kit model file (.dp or .yaml)" };
        var cmd = new Command("info", "Describe a model: descriptor, type map, cutoffs, sel, network sizes, precision, parameter count") { model };
        cmd.SetAction(p =>
        {
            var path = p.GetValue(model)!;
            Describe(stdout, ModelLoader.Load(path), path);
            return 0;
        });
        return cmd;
    }

    private static void Describe(TextWriter o, DeepPotModel m, string path)
    {
        var ci = CultureInfo.InvariantCulture;
        var d = m.Descriptor;
        var f = m.Fitting;
        string Ints(IEnumerable<int> v) => "[" + string.Join(", ", v) + "]";
        string Pairs(IEnumerable<(int A, int B)> v) => "[" + string.Join(", ", v.Select(p => $"({m.TypeMap.Names[p.A]},{m.TypeMap.Names[p.B]})")) + "]";
        o.WriteLine($"model            {path}");
        if (m.Linear is { } lin)
        {
            var t = lin.PairTable;
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            o.WriteLine(string.Create(inv, $"composite        {(lin.Kind == DeepMD.Sharp.Models.Linear.LinearKind.Zbl ? $"zbl: table below sw_rmin = {lin.SwRmin} Å, DP from sw_rmax = {lin.SwRmax} Å (softmin distance, smin_alpha {lin.SminAlpha} Å)" : $"linear_ener, weights {lin.WeightsText} (DP, table)")}"));
            o.WriteLine(string.Create(inv, $"pair table       r = {t.Rmin} … {t.Rmax} Å, step {t.Hh:G6} Å, {t.SplineCount} splines to rcut {t.Rcut} Å, sel {lin.TableSel}; the lines below are the DP part"));
        }
        o.WriteLine($"descriptor       {d.TypeName}");
        o.WriteLine($"type map         {Ints(Enumerable.Range(0, m.TypeMap.Count))} = [{string.Join(", ", m.TypeMap.Names)}]");
        foreach (var line in d.Describe()) o.WriteLine(line);
        var fitNet = f.Nets.FirstOrDefault(n => n is not null);
        var widths = fitNet is null ? "[]" : Ints(fitNet.Layers.Take(fitNet.Layers.Count - 1).Select(l => l.OutputSize));
        var idt = fitNet?.Layers.Any(l => l.Timestep is not null) == true;
        o.WriteLine($"fitting net      {widths}   ({(f.MixedTypes ? "one shared net" : "one net per type")}, resnet_dt {(idt ? "true" : "false")}, activation {fitNet?.Layers[0].Activation})");
        if (d.Embeddings.FirstOrDefault(e => e is not null) is { } embedding) o.WriteLine($"activation       {embedding.Layers[0].Activation} (embedding)");
        if (f.FparamCount > 0 || f.AparamCount > 0) o.WriteLine($"fparam / aparam  {f.FparamCount} / {f.AparamCount}{(f.DefaultFparam is null ? "" : " (default fparam set)")}");
        if (d.ExcludeTypes.Count > 0) o.WriteLine($"exclude_types    {Pairs(d.ExcludeTypes)} (descriptor)");
        if (m.PairExcludeTypes.Count > 0) o.WriteLine($"pair_exclude     {Pairs(m.PairExcludeTypes)} (model)");
        if (m.AtomExcludeTypes.Length > 0 || f.ExcludeTypes.Length > 0)
            o.WriteLine($"atom_exclude     [{string.Join(", ", m.AtomExcludeTypes.Concat(f.ExcludeTypes).Distinct().Select(t => m.TypeMap.Names[t]))}]");
        o.WriteLine($"precision        {d.Precision} (descriptor), {f.Precision} (fitting)");
        o.WriteLine(string.Create(ci, $"parameters       {m.ParameterCount:N0}"));
        using (BackendRegistry.Default.Create(m, null, out var why) as IDisposable)
            o.WriteLine($"backend          {why}");
        o.WriteLine($"cpu vectors      {WideVectors.Describe()}");
        var gpu = BackendRegistry.Default.Find("gpu");
        var device = "GPU backend not part of this program";
        gpu?.IsAvailable(out device);
        o.WriteLine($"gpu device       {device}");
    }
}
