namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using System.Text.Json;
using DeepMD.Sharp.Core.Errors;
using PureHDF;

/// <summary>
/// DeePMD-kit's native <c>.dp</c> (and JAX <c>.hlo</c>) model format (<c>deepmd.dpmodel.utils.serialization</c>): an
/// HDF5 file whose root attribute <c>json</c> holds the model dictionary as JSON, with every variable (each value below
/// an <c>@variables</c> key) replaced by the path of a root dataset <c>/variable_NNNN</c> numbered in depth-first order.
/// </summary>
public static class DpModelFormat
{
    private const string JsonAttribute = "json";
    private const string Reexport = "re-export the model with DeePMD-kit ('dp convert-backend')";

    /// <summary>
    /// Reads a <c>.dp</c> file into the tree described by <see cref="ModelTree"/>: parses the <c>json</c> attribute and
    /// replaces each dataset path below <c>@variables</c> by an <see cref="NdArray"/> with the dataset's shape and dtype.
    /// </summary>
    /// <exception cref="UserInputException">The file is missing, truncated, corrupted or not a DeePMD-kit model.</exception>
    public static Dictionary<string, object?> Load(string path)
    {
        ModelFileErrors.RequireExists(path);
        string? problem;
        try
        {
            problem = Hdf5Probe.Check(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"cannot read the model file: {e.Message}", path, inner: e);
        }
        if (problem is not null) throw new UserInputException($"{problem}; {Reexport}", path);

        try
        {
            using var file = H5File.OpenRead(path);
            if (!file.AttributeExists(JsonAttribute))
            {
                throw new UserInputException(
                    $"the HDF5 file has no '{JsonAttribute}' attribute, so it is not a DeePMD-kit .dp model; {Reexport}", path);
            }
            var json = ReadJsonAttribute(file.Attribute(JsonAttribute), path);
            object? parsed;
            try
            {
                parsed = PythonJson.Parse(json);
            }
            catch (JsonException e)
            {
                throw new UserInputException($"the '{JsonAttribute}' attribute is not valid JSON ({e.Message}); {Reexport}", path, inner: e);
            }
            if (parsed is not Dictionary<string, object?> tree)
                throw new UserInputException($"the '{JsonAttribute}' attribute does not hold a JSON object (a model dictionary); {Reexport}", path);
            new VariableResolver(file, path).Resolve(tree, "", isVariable: false);
            return tree;
        }
        catch (UserInputException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new UserInputException(
                $"cannot read the HDF5 model file ({e.GetType().Name}: {e.Message}); the file may be truncated or corrupted; {Reexport}",
                path, inner: e);
        }
    }

    /// <summary>
    /// Writes <paramref name="tree"/> like DeePMD-kit's <c>save_dp_model</c>: each value below an <c>@variables</c> key
    /// (an <see cref="NdArray"/> with its dtype and shape, 0-d included, or a bare number as a 0-d dataset) becomes root
    /// dataset <c>variable_NNNN</c> in depth-first order and is replaced by <c>"/variable_NNNN"</c>; null stays null. The
    /// dictionary is stored as compact JSON (Python float repr, <c>NaN</c>/<c>Infinity</c>) in the variable-length UTF-8
    /// root attribute <c>json</c>. Unlike DeePMD-kit, no <c>software</c>/<c>version</c>/<c>time</c> keys are added: the
    /// tree is written as given. The file is written to a temporary file in the same folder and renamed.
    /// </summary>
    /// <exception cref="UserInputException">The tree holds an array outside <c>@variables</c>, or the file cannot be written.</exception>
    public static void Save(string path, Dictionary<string, object?> tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var h5 = new H5File();
        var counter = 0;
        string json;
        try
        {
            json = PythonJson.Write(tree, (keyPath, value) =>
            {
                var name = "variable_" + counter++.ToString("D4", CultureInfo.InvariantCulture);
                h5[name] = ToDataset(keyPath, value);
                return "/" + name;
            });
        }
        catch (ModelTreeException e)
        {
            throw new UserInputException($"cannot store the model as a .dp file: {e.Message}", path, inner: e);
        }
        h5.Attributes[JsonAttribute] = json;
        ModelFileErrors.WriteAtomically(path, stream => h5.Write(stream));
    }

    private static string ReadJsonAttribute(IH5Attribute attribute, string path)
    {
        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
            throw new UserInputException($"the '{JsonAttribute}' attribute is not text (HDF5 type class {attribute.Type.Class}); {Reexport}", path);
        var text = attribute.Space.Type == H5DataspaceType.Scalar
            ? attribute.Read<string>()
            : attribute.Read<string[]>() is [var only] ? only : null;
        return text ?? throw new UserInputException($"the '{JsonAttribute}' attribute does not hold exactly one string; {Reexport}", path);
    }

    private static H5Dataset ToDataset(string keyPath, object value)
    {
        switch (value)
        {
            case NdArray a:
                return ToDataset(keyPath, a);
            case double d:
                return new H5Dataset(d);
            case long n:
                return new H5Dataset(n);
            case int n:
                return new H5Dataset((long)n);
            case bool b:
                return new H5Dataset(b ? Hdf5Bool.TRUE : Hdf5Bool.FALSE);
            case string:
                throw new ModelTreeException(keyPath, "holds text below '@variables'; only arrays, numbers and null can be stored there");
            default:
                throw new ModelTreeException(keyPath, $"holds a {value.GetType().Name}, which is not a model-tree value");
        }
    }

    private static H5Dataset ToDataset(string keyPath, NdArray a)
    {
        var src = a.Data;
        object data = a.DType switch
        {
            "float64" => src,
            "float32" => Array.ConvertAll(src, v => (float)v),
            "int64" => Array.ConvertAll(src, v => (long)v),
            "int32" => Array.ConvertAll(src, v => (int)v),
            "int16" => Array.ConvertAll(src, v => (short)v),
            "int8" => Array.ConvertAll(src, v => (sbyte)v),
            "uint64" => Array.ConvertAll(src, v => (ulong)v),
            "uint32" => Array.ConvertAll(src, v => (uint)v),
            "uint16" => Array.ConvertAll(src, v => (ushort)v),
            "uint8" => Array.ConvertAll(src, v => (byte)v),
            "bool" => Array.ConvertAll(src, v => v != 0 ? Hdf5Bool.TRUE : Hdf5Bool.FALSE),
            _ => throw new ModelTreeException(
                keyPath, $"is an array of dtype '{a.DType}', which is not supported (supported: {string.Join(", ", DTypes.Supported)})"),
        };
        if (a.Shape.Length == 0)
        {
            // A 0-d array: pass the single element so that PureHDF writes a scalar dataspace.
            var element = ((Array)data).GetValue(0)!;
            return new H5Dataset(element);
        }
        var dims = Array.ConvertAll(a.Shape, s => (ulong)s);
        return new H5Dataset(data, fileDims: dims);
    }
}
