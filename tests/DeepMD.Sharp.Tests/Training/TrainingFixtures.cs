namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;

/// <summary>Small models and data for the training tests (kept tiny: the CI machines have few cores).</summary>
internal static class TrainingFixtures
{
    public static string WaterDir => Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "water-data_0");

    public static DeepmdSystem Water() => TrainingDataSet.MapTypes(DeepmdSystemReader.ReadNpy(WaterDir), ["O", "H"]);

    public static SeAModelConfig TinyConfig(bool typeOneSide) => new()
    {
        TypeMap = ["O", "H"],
        Rcut = 4.0,
        RcutSmooth = 0.5,
        Sel = [20, 40],
        Neuron = [4, 8],
        AxisNeuron = 2,
        TypeOneSide = typeOneSide,
        DescriptorResnetDt = true,
        FittingNeuron = [8, 8],
        FittingResnetDt = true,
        Seed = 7,
        DataStatNBatch = 2,
    };
}
