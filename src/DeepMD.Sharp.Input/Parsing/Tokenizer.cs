namespace DeepMD.Sharp.Input.Parsing;

using DeepMD.Sharp.Core.Errors;

/// <summary>Splits a logical line into words; single, double and triple quotes group words and are removed.</summary>
public static class Tokenizer
{
    public static List<string> Words(string line)
    {
        var words = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }
            if (line.AsSpan(i).StartsWith("\"\"\""))
            {
                var end = line.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) throw new UserInputException("unterminated triple quote");
                words.Add(line[(i + 3)..end]);
                i = end + 3;
                continue;
            }
            if (line[i] is '"' or '\'')
            {
                var q = line[i];
                var end = line.IndexOf(q, i + 1);
                if (end < 0) throw new UserInputException($"unterminated quote {q}");
                words.Add(line[(i + 1)..end]);
                i = end + 1;
                continue;
            }
            var j = i;
            while (j < line.Length && !char.IsWhiteSpace(line[j])) j++;
            words.Add(line[i..j]);
            i = j;
        }
        return words;
    }
}
