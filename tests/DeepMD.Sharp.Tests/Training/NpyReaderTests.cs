namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.IO.Datasets;

public class NpyReaderTests
{
    [Test]
    public void Reads_Water_System_In_Float32()
    {
        var s = DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir);
        Assert.Multiple(() =>
        {
            Assert.That(s.AtomCount, Is.EqualTo(192));
            Assert.That(s.FrameCount, Is.EqualTo(80));
            Assert.That(s.TypeNames, Is.EqualTo(new[] { "O", "H" }));
            Assert.That(s.Periodic, Is.True);
            Assert.That(s.Boxes!.Length, Is.EqualTo(80 * 9));
            Assert.That(s.Forces!.Length, Is.EqualTo(80 * 192 * 3));
            Assert.That(s.Virials, Is.Null);
            Assert.That(s.CountTypes(2), Is.EqualTo(new[] { 64, 128 }));
            Assert.That(s.Energies![0], Is.LessThan(-100));
        });
    }

    [Test]
    public void Parses_Float64_Version1_Header()
    {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        header = header.PadRight(118) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 1, 0, (byte)header.Length, 0 });
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        foreach (var v in new[] { 1.0, 2, 3, 4, 5, 6.5 }) bytes.AddRange(BitConverter.GetBytes(v));
        var a = NpyReader.Parse(bytes.ToArray(), "mem");
        Assert.That(a.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(a.Data, Is.EqualTo(new[] { 1.0, 2, 3, 4, 5, 6.5 }));
    }

    [Test]
    public void Rejects_Fortran_Order()
    {
        var header = "{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }".PadRight(118) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 1, 0, (byte)header.Length, 0 });
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(1.0));
        Assert.That(() => NpyReader.Parse(bytes.ToArray(), "mem"), Throws.TypeOf<UserInputException>().With.Message.Contains("Fortran"));
    }

    [Test]
    public void Reads_DeePMDKit_Water_Hdf5_Like_The_Npy_Directory()
    {
        // DeePMD-kit's water example data as deepmd/hdf5 (Data/PROVENANCE.md), shipped with the tests: never skipped.
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "water.hdf5");
        Assert.That(File.Exists(path), Is.True, $"{path} is missing from the test output (Data/** is copied by the csproj)");
        var h = DeepmdSystemReader.Read(path + "#/data_0");
        var n = DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir);
        Assert.That(h.AtomCount, Is.EqualTo(n.AtomCount));
        Assert.That(h.FrameCount, Is.EqualTo(n.FrameCount));
        Assert.That(h.TypeNames, Is.EqualTo(n.TypeNames));
        Assert.That(h.Coords, Is.EqualTo(n.Coords).Within(1e-6));
        Assert.That(h.Energies, Is.EqualTo(n.Energies).Within(1e-6));
    }

    [Test]
    public void Reads_A_Deepmd_Hdf5_Group_Like_The_Npy_Directory()
    {
        var n = DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir);
        var frames = 3;
        var atoms = n.AtomCount;
        var path = Path.Combine(Path.GetTempPath(), $"dpsharp-{Guid.NewGuid():N}.hdf5");
        try
        {
            var set = new PureHDF.H5Group
            {
                ["coord.npy"] = new PureHDF.H5Dataset(n.Coords.Take(frames * atoms * 3).ToArray(), fileDims: [(ulong)frames, (ulong)(atoms * 3)]),
                ["box.npy"] = new PureHDF.H5Dataset(n.Boxes!.Take(frames * 9).Select(v => (float)v).ToArray(), fileDims: [(ulong)frames, 9UL]),
                ["energy.npy"] = new PureHDF.H5Dataset(n.Energies!.Take(frames).ToArray()),
                ["force.npy"] = new PureHDF.H5Dataset(n.Forces!.Take(frames * atoms * 3).ToArray(), fileDims: [(ulong)frames, (ulong)(atoms * 3)]),
            };
            var group = new PureHDF.H5Group
            {
                ["type.raw"] = new PureHDF.H5Dataset(n.Types.Select(t => (long)t).ToArray()),
                ["type_map.raw"] = new PureHDF.H5Dataset(new[] { "O", "H" }),
                ["set.000"] = set,
            };
            new PureHDF.H5File { ["sys"] = group }.Write(path);
            var h = DeepmdSystemReader.Read(path + "#/sys");
            Assert.Multiple(() =>
            {
                Assert.That(h.FrameCount, Is.EqualTo(frames));
                Assert.That(h.Types, Is.EqualTo(n.Types));
                Assert.That(h.TypeNames, Is.EqualTo(new[] { "O", "H" }));
                Assert.That(h.Coords, Is.EqualTo(n.Coords.Take(frames * atoms * 3)));
                Assert.That(h.Boxes, Is.EqualTo(n.Boxes!.Take(frames * 9)).Within(1e-5));
                Assert.That(h.Energies, Is.EqualTo(n.Energies!.Take(frames)));
                Assert.That(h.Virials, Is.Null);
            });
        }
        finally
        {
            File.Delete(path);
        }
    }
}
