namespace DeepMD.Sharp.Training.Input;

/// <summary>training_data / validation_data of input.json.</summary>
public sealed record DataSection(string[] Systems, string[] BatchSizes, int NumbBatch);
