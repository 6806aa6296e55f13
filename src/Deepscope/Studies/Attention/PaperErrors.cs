using Deepscope.Data;
namespace Deepscope.Studies.Attention;

/// <summary>
/// Test errors (%) reported by Mnih et al., NIPS 2014 (arXiv 1406.6247), for the settings this study reproduces.
/// </summary>
public static class PaperErrors
{
    /// <summary>The paper's figure for a run, with the paper's configuration in words; null where the paper has none.</summary>
    public static (double Error, string Setting)? For(AttentionRunOptions run)
    {
        var task = run.Task;
        return (task.Dataset, task.Size, task.Distractors, run.Model) switch
        {
            (DigitDataset.Mnist, _, _, AttentionModel.Ram) => (1.12, "RAM, 6 glimpses of 8x8"),
            (DigitDataset.TranslatedMnist, 60, _, AttentionModel.Ram) => (1.22, "RAM, 6 glimpses of 12x12, 3 scales"),
            (DigitDataset.ClutteredMnist, 60, 4, AttentionModel.Ram) => (4.08, "RAM, 6 glimpses of 12x12, 3 scales"),
            (DigitDataset.ClutteredMnist, 60, 4, AttentionModel.Conv) => (8.09, "convolutional, 2 layers"),
            (DigitDataset.ClutteredMnist, 100, 8, AttentionModel.Ram) => (8.31, "RAM, best configuration"),
            _ => null,
        };
    }
}
