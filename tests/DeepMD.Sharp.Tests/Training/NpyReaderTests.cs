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
    public void Reads_Shared_Hdf5_When_Available()
    {
        const string path = "/work/shared/data/water.hdf5";
        if (!File.Exists(path)) Assert.Ignore("shared water.hdf5 not present");
        var h = DeepmdSystemReader.Read(path + "#/data_0");
        var n = DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir);
        Assert.That(h.AtomCount, Is.EqualTo(n.AtomCount));
        Assert.That(h.FrameCount, Is.EqualTo(n.FrameCount));
        Assert.That(h.TypeNames, Is.EqualTo(n.TypeNames));
        Assert.That(h.Coords, Is.EqualTo(n.Coords).Within(1e-6));
        Assert.That(h.Energies, Is.EqualTo(n.Energies).Within(1e-6));
    }
}
