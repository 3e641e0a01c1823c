namespace DeepMD.Sharp.Training.Optimization;

using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using static TorchSharp.torch;

/// <summary>
/// DeePMD-kit's <c>ener</c> loss (notes §5.2, legacy MSE): p_e·mse(E)/N + p_f·mse(F) + p_v·mse(Ξ)/N, with prefactors
/// moving from start to limit as the learning rate decays: p = limit + (start − limit)·lr/lr₀.
/// </summary>
public sealed record EnergyLoss
{
    /// <summary>Energy prefactor at lr₀.</summary>
    public double StartPrefE { get; init; } = 0.02;

    /// <summary>Energy prefactor as lr → 0.</summary>
    public double LimitPrefE { get; init; } = 1;

    /// <summary>Force prefactor at lr₀.</summary>
    public double StartPrefF { get; init; } = 1000;

    /// <summary>Force prefactor as lr → 0.</summary>
    public double LimitPrefF { get; init; } = 1;

    /// <summary>Virial prefactor at lr₀.</summary>
    public double StartPrefV { get; init; }

    /// <summary>Virial prefactor as lr → 0.</summary>
    public double LimitPrefV { get; init; }

    /// <summary>The loss value and the per-term RMSEs as DeePMD-kit prints them (energy and virial per atom).</summary>
    public sealed record Result(Tensor Loss, double RmseE, double RmseF, double RmseV, bool HasE, bool HasF, bool HasV)
    {
        /// <summary>√loss, the rmse column of lcurve.out.</summary>
        public double Rmse => Math.Sqrt(Loss.item<double>());
    }

    /// <summary>Evaluates the model on <paramref name="batch"/>; with <paramref name="training"/> the graph allows backward.</summary>
    public Result Compute(IEnergyModel model, FrameBatch batch, double lr, double lr0, bool training) =>
        TorchGcGuard.Run(() => ComputeUnguarded(model, batch, lr, lr0, training));

    private Result ComputeUnguarded(IEnergyModel model, FrameBatch batch, double lr, double lr0, bool training)
    {
        var ratio = lr / lr0;
        double Pref(double start, double limit) => limit + (start - limit) * ratio;
        var pe = Pref(StartPrefE, LimitPrefE);
        var pf = Pref(StartPrefF, LimitPrefF);
        var pv = Pref(StartPrefV, LimitPrefV);
        var n = (double)batch.AtomCount;
        var o = model.Forward(batch);
        var loss = zeros(1, dtype: float64).squeeze();
        double rmseE = double.NaN, rmseF = double.NaN, rmseV = double.NaN;
        var hasE = batch.Energy is not null && pe != 0;
        var hasF = batch.Force is not null && pf != 0;
        var hasV = batch.Virial is not null && pv != 0;
        if (batch.Energy is not null)
        {
            var mse = (o.Energy - tensor(batch.Energy)).pow(2).mean();
            rmseE = Math.Sqrt(mse.item<double>()) / n;
            if (hasE) loss = loss + pe / n * mse;
        }
        if (batch.Force is not null && (hasF || !training))
        {
            var f = SeAEnergyModel.Forces(o, createGraph: training);
            var mse = (f - tensor(batch.Force).reshape(-1, 3)).pow(2).mean();
            rmseF = Math.Sqrt(mse.item<double>());
            if (hasF) loss = loss + pf * mse;
        }
        if (batch.Virial is not null && (hasV || !training))
        {
            var v = SeAEnergyModel.Virials(o, batch, createGraph: training);
            var mse = (v - tensor(batch.Virial).reshape(-1, 9)).pow(2).mean();
            rmseV = Math.Sqrt(mse.item<double>()) / n;
            if (hasV) loss = loss + pv / n * mse;
        }
        return new Result(loss, rmseE, rmseF, rmseV, batch.Energy is not null, batch.Force is not null, batch.Virial is not null);
    }
}
