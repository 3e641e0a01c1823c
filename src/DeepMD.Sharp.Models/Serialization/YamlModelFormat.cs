namespace DeepMD.Sharp.Models.Serialization;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using YamlDotNet.Core;

/// <summary>
/// DeePMD-kit's <c>.yaml</c> / <c>.yml</c> model format (<c>deepmd.dpmodel.utils.serialization</c>): the model
/// dictionary dumped with <c>yaml.safe_dump</c>, each numpy array stored as
/// <c>{"@class": "np.ndarray", "@is_variable": true, "@version": 1, "dtype": ..., "value": nested lists}</c>.
/// </summary>
public static class YamlModelFormat
{
    /// <summary>
    /// Reads a model file into the tree described by <see cref="ModelTree"/>. Plain scalars are typed as PyYAML's safe
    /// loader types them (int → <see cref="long"/>, float incl. <c>.nan</c>/<c>.inf</c> → <see cref="double"/>,
    /// bool, null); quoted scalars stay strings; <c>np.ndarray</c> variable nodes become <see cref="NdArray"/>s.
    /// </summary>
    /// <exception cref="UserInputException">The file is missing, unreadable, not valid YAML, or not a model dictionary.</exception>
    public static Dictionary<string, object?> Load(string path)
    {
        ModelFileErrors.RequireExists(path);
        YamlTreeReader? treeReader = null;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            treeReader = new YamlTreeReader(new Parser(reader), path);
            return treeReader.ReadDocument();
        }
        catch (UserInputException)
        {
            throw;
        }
        catch (YamlException e)
        {
            var line = e.Start.Line > 0 ? (int?)e.Start.Line : null;
            if (line is not null && EndsAtOrBefore(path, (int)line.Value))
            {
                throw new UserInputException(
                    $"the file is truncated: it ends early, in the middle of a YAML node ({e.Message}); copy or re-export the model again ('dp convert-backend')",
                    path, line, e);
            }
            throw new UserInputException(
                $"not a valid YAML model file: {e.Message}. The file may be truncated or corrupted; re-export it with 'dp convert-backend'.",
                path, line, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new UserInputException($"cannot read the YAML model file: {e.Message}", path, inner: e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet's scanner reports some malformed input with other exception types and no position.
            var line = treeReader?.LastLine;
            throw new UserInputException(
                $"not a valid YAML model file: syntax error {(line is null ? "" : $"after line {line} ")}({e.Message}). "
                + "The file may be truncated or corrupted; re-export it with 'dp convert-backend'.",
                path, line, e);
        }
    }

    /// <summary>Whether the file has no text after line <paramref name="line"/> (the parser's error is at its end).</summary>
    private static bool EndsAtOrBefore(string path, int line)
    {
        try
        {
            return File.ReadLines(path).Skip(line).All(string.IsNullOrWhiteSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes <paramref name="tree"/> as YAML that DeePMD-kit's <c>load_dp_model</c> (<c>yaml.safe_load</c>) reads back
    /// to the same dictionary. Keys keep the tree's order. The file is written to a temporary file in the same folder
    /// and then renamed over <paramref name="path"/>. As with numpy's <c>tolist()</c>, an array with a zero-length
    /// dimension followed by further dimensions (e.g. shape [2,0,3]) reads back with the trailing dimensions dropped ([2,0]).
    /// </summary>
    /// <exception cref="UserInputException">The file cannot be written.</exception>
    /// <exception cref="ArgumentException">The tree holds a value that is not a model-tree node.</exception>
    public static void Save(string path, Dictionary<string, object?> tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ModelFileErrors.WriteAtomically(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            w.NewLine = "\n";
            new YamlTreeWriter(w).WriteDocument(tree);
        });
    }
}
