namespace DeepMD.Sharp.Input.Commands;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>shell cd DIR | mkdir D1 D2 … | mv OLD NEW | rm F1 F2 … | rmdir D1 D2 … | putenv VAR=VALUE … | COMMAND ARGS …</c>,
/// as LAMMPS' shell command: the first six are done directly (a failure is LAMMPS' warning "Shell command 'cd' failed
/// with error '…'", the deck goes on); anything else is joined with spaces and run by <c>/bin/sh -c</c> (a non-zero exit
/// status is LAMMPS' warning). Relative paths are relative to the deck's working directory, which <c>cd</c> changes
/// (dpsharp's working directory for output files and inputs not found next to the deck; the process's own current
/// directory is left alone). Only the root rank acts on files, as LAMMPS' rank 0; <c>cd</c> and <c>putenv</c> on every rank.
/// </summary>
[DeckCommand("shell")]
public sealed class ShellCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 1) throw new UserInputException("Illegal shell command");
        var words = args.Words;
        string Full(string p) => Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(context.WorkingDirectory, p));
        void Warn(string cmd, string error) => context.Out.WriteLine($"WARNING: Shell command '{cmd}' failed with error '{error}'");
        switch (words[0])
        {
            case "cd":
                if (args.Count != 2) throw new UserInputException("Illegal shell cd command");
                var dir = Full(words[1]);
                if (Directory.Exists(dir)) context.WorkingDirectory = dir;
                else Warn("cd", File.Exists(dir) ? "Not a directory" : "No such file or directory");
                return;
            case "mkdir":
                if (args.Count < 2) throw new UserInputException("Illegal shell mkdir command");
                if (!context.IsRootRank) return;
                foreach (var d in words.Skip(1))
                {
                    var path = Full(d);
                    if (Directory.Exists(path) || File.Exists(path)) Warn("mkdir", "File exists");
                    else if (!Directory.Exists(Path.GetDirectoryName(path))) Warn("mkdir", "No such file or directory");
                    else Try("mkdir", () => Directory.CreateDirectory(path));
                }
                return;
            case "mv":
                if (args.Count != 3) throw new UserInputException("Illegal shell mv command");
                if (!context.IsRootRank) return;
                var from = Full(words[1]);
                var to = Full(words[2]);
                if (!File.Exists(from) && !Directory.Exists(from)) Warn("mv", "No such file or directory");
                else if (Directory.Exists(from)) Try("mv", () => Directory.Move(from, to));
                else Try("mv", () => File.Move(from, to, overwrite: true));
                return;
            case "rm":
                if (args.Count < 2) throw new UserInputException("Illegal shell rm command");
                if (!context.IsRootRank) return;
                foreach (var f in words.Skip(1))
                {
                    var path = Full(f);
                    if (Directory.Exists(path)) Warn("rm", "Is a directory");
                    else if (!File.Exists(path)) Warn("rm", "No such file or directory");
                    else Try("rm", () => File.Delete(path));
                }
                return;
            case "rmdir":
                if (args.Count < 2) throw new UserInputException("Illegal shell rmdir command");
                if (!context.IsRootRank) return;
                foreach (var d in words.Skip(1))
                {
                    var path = Full(d);
                    if (!Directory.Exists(path)) Warn("rmdir", File.Exists(path) ? "Not a directory" : "No such file or directory");
                    else if (Directory.EnumerateFileSystemEntries(path).Any()) Warn("rmdir", "Directory not empty");
                    else Try("rmdir", () => Directory.Delete(path));
                }
                return;
            case "putenv":
                if (args.Count < 2) throw new UserInputException("Illegal shell putenv command");
                foreach (var definition in words.Skip(1))
                {
                    var eq = definition.IndexOf('=');
                    var (name, value) = eq < 0 ? (definition, "") : (definition[..eq], definition[(eq + 1)..]);
                    if (name.Length == 0) Warn("putenv", "Invalid argument");
                    else Environment.SetEnvironmentVariable(name, value.Length == 0 ? null : value);
                }
                return;
            default:
                if (!context.IsRootRank) return;
                RunSystem(context, string.Join(' ', words));
                return;
        }

        void Try(string cmd, Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warn(cmd, e is UnauthorizedAccessException ? "Permission denied" : e.Message);
            }
        }
    }

    /// <summary>LAMMPS' system(): the command line through /bin/sh in the working directory, its output on the screen.</summary>
    private static void RunSystem(DeckContext context, string command)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            WorkingDirectory = context.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        int code;
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            context.Screen.Write(stdout.Result);
            context.Screen.Write(stderr.Result);
            code = p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            code = 127;
        }
        if (code != 0) context.Out.WriteLine("WARNING: Shell command returned with non-zero status");
    }
}
