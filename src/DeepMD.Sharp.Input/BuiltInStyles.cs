namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Input.Commands;
using DeepMD.Sharp.Input.Styles;

/// <summary>
/// The commands and styles this project defines, registered explicitly (a test checks that every class carrying a
/// <see cref="DeckCommandAttribute"/>, <see cref="PairStyleAttribute"/> or <see cref="FixStyleAttribute"/> is listed).
/// </summary>
public static class BuiltInStyles
{
    /// <summary>Adds the built-in commands, pair styles and fix styles to <paramref name="registry"/>.</summary>
    public static void Register(StyleRegistry registry)
    {
        registry.RegisterCommand<AtomModifyCommand>();
        registry.RegisterCommand<DimensionCommand>();
        registry.RegisterCommand<NewtonCommand>();
        registry.RegisterCommand<CommModifyCommand>();
        registry.RegisterCommand<IfCommand>();
        registry.RegisterCommand<AtomStyleCommand>();
        registry.RegisterCommand<BondStyleCommand>();
        registry.RegisterCommand<BondCoeffCommand>();
        registry.RegisterCommand<AngleStyleCommand>();
        registry.RegisterCommand<AngleCoeffCommand>();
        registry.RegisterCommand<DihedralStyleCommand>();
        registry.RegisterCommand<DihedralCoeffCommand>();
        registry.RegisterCommand<ImproperStyleCommand>();
        registry.RegisterCommand<ImproperCoeffCommand>();
        registry.RegisterCommand<SpecialBondsCommand>();
        registry.RegisterCommand<MoleculeCommand>();
        registry.RegisterCommand<BoundaryCommand>();
        registry.RegisterCommand<CreateAtomsCommand>();
        registry.RegisterCommand<ComputeCommand>();
        registry.RegisterCommand<CreateBoxCommand>();
        registry.RegisterCommand<DeleteAtomsCommand>();
        registry.RegisterCommand<CreateBondsCommand>();
        registry.RegisterCommand<DisplaceAtomsCommand>();
        registry.RegisterCommand<DumpCommand>();
        registry.RegisterCommand<DumpModifyCommand>();
        registry.RegisterCommand<EchoCommand>();
        registry.RegisterCommand<ProcessorsCommand>();
        registry.RegisterCommand<FixCommand>();
        registry.RegisterCommand<GroupCommand>();
        registry.RegisterCommand<IncludeCommand>();
        registry.RegisterCommand<InfoCommand>();
        registry.RegisterCommand<JumpCommand>();
        registry.RegisterCommand<LabelCommand>();
        registry.RegisterCommand<LatticeCommand>();
        registry.RegisterCommand<LogCommand>();
        registry.RegisterCommand<MassCommand>();
        registry.RegisterCommand<MinModifyCommand>();
        registry.RegisterCommand<MinStyleCommand>();
        registry.RegisterCommand<MinimizeCommand>();
        registry.RegisterCommand<NeighModifyCommand>();
        registry.RegisterCommand<NeighborCommand>();
        registry.RegisterCommand<NextCommand>();
        registry.RegisterCommand<PairCoeffCommand>();
        registry.RegisterCommand<PairModifyCommand>();
        registry.RegisterCommand<PairStyleCommand>();
        registry.RegisterCommand<PairWriteCommand>();
        registry.RegisterCommand<PrintCommand>();
        registry.RegisterCommand<ReadDataCommand>();
        registry.RegisterCommand<ReadRestartCommand>();
        registry.RegisterCommand<RegionCommand>();
        registry.RegisterCommand<ReplicateCommand>();
        registry.RegisterCommand<ResetTimestepCommand>();
        registry.RegisterCommand<ShellCommand>();
        registry.RegisterCommand<RestartCommand>();
        registry.RegisterCommand<RunCommand>();
        registry.RegisterCommand<SetCommand>();
        registry.RegisterCommand<ThermoCommand>();
        registry.RegisterCommand<ThermoModifyCommand>();
        registry.RegisterCommand<ThermoStyleCommand>();
        registry.RegisterCommand<TimestepCommand>();
        registry.RegisterCommand<UndumpCommand>();
        registry.RegisterCommand<UnfixCommand>();
        registry.RegisterCommand<UncomputeCommand>();
        registry.RegisterCommand<UnitsCommand>();
        registry.RegisterCommand<VariableCommand>();
        registry.RegisterCommand<VelocityCommand>();
        registry.RegisterCommand<WriteDataCommand>();
        registry.RegisterCommand<WriteDumpCommand>();
        registry.RegisterCommand<WriteRestartCommand>();
        registry.RegisterCommand<FixModifyCommand>();
        registry.RegisterCommand<ComputeModifyCommand>();
        registry.RegisterCommand<CommStyleCommand>();
        registry.RegisterCommand<RunStyleCommand>();
        registry.RegisterCommand<BalanceCommand>();
        registry.RegisterCommand<ChangeBoxCommand>();
        registry.RegisterCommand<ReadDumpCommand>();
        registry.RegisterCommand<RerunCommand>();

        registry.RegisterPairStyle<BornPairStyle>();
        registry.RegisterPairStyle<BuckPairStyle>();
        registry.RegisterPairStyle<CoulCutPairStyle>();
        registry.RegisterPairStyle<DeepmdPairStyle>();
        registry.RegisterPairStyle<EamAlloyPairStyle>();
        registry.RegisterPairStyle<EamPairStyle>();
        registry.RegisterPairStyle<HybridOverlayPairStyle>();
        registry.RegisterPairStyle<HybridPairStyle>();
        registry.RegisterPairStyle<LjCutCoulCutPairStyle>();
        registry.RegisterPairStyle<LjCutPairStyle>();
        registry.RegisterPairStyle<LjSmoothLinearPairStyle>();
        registry.RegisterPairStyle<MorsePairStyle>();
        registry.RegisterPairStyle<SoftPairStyle>();
        registry.RegisterPairStyle<TablePairStyle>();
        registry.RegisterPairStyle<ZblPairStyle>();

        registry.RegisterFixStyle<AveCorrelateFixStyle>();
        registry.RegisterFixStyle<AveTimeFixStyle>();
        registry.RegisterFixStyle<AddForceFixStyle>();
        registry.RegisterFixStyle<AveForceFixStyle>();
        registry.RegisterFixStyle<Enforce2DFixStyle>();
        registry.RegisterFixStyle<PropertyAtomFixStyle>();
        registry.RegisterFixStyle<HeatFixStyle>();
        registry.RegisterFixStyle<ViscosityFixStyle>();
        registry.RegisterFixStyle<DtResetFixStyle>();
        registry.RegisterFixStyle<AveHistoFixStyle>();
        registry.RegisterFixStyle<IndentFixStyle>();
        registry.RegisterFixStyle<LangevinFixStyle>();
        registry.RegisterFixStyle<MomentumFixStyle>();
        registry.RegisterFixStyle<NphFixStyle>();
        registry.RegisterFixStyle<NptFixStyle>();
        registry.RegisterFixStyle<NveFixStyle>();
        registry.RegisterFixStyle<NvtFixStyle>();
        registry.RegisterFixStyle<PrintFixStyle>();
        registry.RegisterFixStyle<SetForceFixStyle>();
        registry.RegisterFixStyle<TempBerendsenFixStyle>();
        registry.RegisterFixStyle<TempCsvrFixStyle>();
        registry.RegisterFixStyle<TempRescaleFixStyle>();
        registry.RegisterFixStyle<WallReflectFixStyle>();
        registry.RegisterFixStyle<WallReflectStochasticFixStyle>();
        registry.RegisterFixStyle<BalanceFixStyle>();
        registry.RegisterFixStyle<ControllerFixStyle>();
        registry.RegisterFixStyle<WallLj93FixStyle>();
        registry.RegisterFixStyle<WallLj126FixStyle>();
        registry.RegisterFixStyle<WallLj1043FixStyle>();
        registry.RegisterFixStyle<WallHarmonicFixStyle>();
        registry.RegisterFixStyle<DeformFixStyle>();
        registry.RegisterFixStyle<NvtSllodFixStyle>();
        registry.RegisterFixStyle<ViscousFixStyle>();
        registry.RegisterFixStyle<SpringFixStyle>();
        registry.RegisterFixStyle<BoxRelaxFixStyle>();
        registry.RegisterFixStyle<AveChunkFixStyle>();
        registry.RegisterFixStyle<ThermalConductivityFixStyle>();
        registry.RegisterFixStyle<VectorFixStyle>();
    }
}
