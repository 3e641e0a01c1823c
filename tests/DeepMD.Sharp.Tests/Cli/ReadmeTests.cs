namespace DeepMD.Sharp.Tests.Cli;

using System.Text.RegularExpressions;
using DeepMD.Sharp.Tests.Support;

/// <summary>The README's "Two commands", followed one after the other in one shell as a newcomer would.</summary>
public class ReadmeTests
{
    private static string[] Commands()
    {
        var text = File.ReadAllText(RepoPaths.Get("README.md"));
        var section = Regex.Match(text, @"## Two commands(.*?)\n## ", RegexOptions.Singleline).Groups[1].Value;
        return Regex.Matches(section, "```\\w*\\n(.*?)\\n```", RegexOptions.Singleline).Select(m => m.Groups[1].Value.Trim()).ToArray();
    }

    [Test]
    public void ExactlyTwoCommands() => Assert.That(Commands(), Has.Length.EqualTo(2));

    /// <summary>
    /// Tracks the shell's directory through the commands (a leading <c>cd D &amp;&amp;</c> outside parentheses moves it)
    /// and checks every relative path the next command names exists there: the test command must work where the
    /// main job leaves the user.
    /// </summary>
    [Test]
    public void EachCommandWorksInTheDirectoryThePreviousOneLeaves()
    {
        var cwd = RepoPaths.Root;
        foreach (var command in Commands())
        {
            var rest = command;
            var subshell = Regex.Match(rest, @"^\((.*)\)$", RegexOptions.Singleline);
            var dir = cwd;
            if (subshell.Success) rest = subshell.Groups[1].Value.Trim();
            while (Regex.Match(rest, @"^cd\s+(\S+)\s*&&\s*(.*)$", RegexOptions.Singleline) is { Success: true } cd)
            {
                dir = Path.GetFullPath(Path.Combine(dir, cd.Groups[1].Value));
                Assert.That(Directory.Exists(dir), Is.True, $"`{command}`: no folder {dir}");
                rest = cd.Groups[2].Value;
            }
            foreach (Match path in Regex.Matches(rest, @"(?<=\s)([\w./-]+\.(?:sln|csproj)|\.\./[\w./-]+|src/[\w./-]+|in\.\w+)(?=\s|$)"))
                Assert.That(File.Exists(Path.Combine(dir, path.Value)) || Directory.Exists(Path.Combine(dir, path.Value)), Is.True,
                    $"`{command}` run in {Path.GetRelativePath(RepoPaths.Root, dir)}/ names {path.Value}, which is not there");
            if (!subshell.Success) cwd = dir;
        }
    }
}
