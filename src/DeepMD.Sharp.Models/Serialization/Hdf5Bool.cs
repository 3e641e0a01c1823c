namespace DeepMD.Sharp.Models.Serialization;

/// <summary>
/// The element type PureHDF writes for numpy <c>bool</c> datasets: an HDF5 enumeration with members FALSE = 0 and
/// TRUE = 1, which h5py reads back as <c>np.bool_</c>. (A plain .NET <see cref="bool"/> would be written as
/// <c>uint8</c>; an <see cref="sbyte"/>-based enum makes PureHDF 2.2 throw while encoding the member values.)
/// </summary>
internal enum Hdf5Bool : byte
{
    FALSE = 0,
    TRUE = 1,
}
