namespace DeepMD.Sharp.IO;

/// <summary>Structure file formats understood by <see cref="StructureReader"/>.</summary>
public enum StructureFormat
{
    /// <summary>Extended (or plain) XYZ, read by <see cref="ExtXyzReader"/>.</summary>
    ExtXyz,

    /// <summary>VASP POSCAR/CONTCAR, read by <see cref="PoscarReader"/>.</summary>
    Poscar,

    /// <summary>LAMMPS data file, read by <see cref="LammpsDataReader"/>.</summary>
    LammpsData,
}
