using RagService.Models.Registry;
using RagService.Retrieval;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Retrieval" section: candidate budgets, fusion, weights, stage budgets and the models stages load.</summary>
internal sealed class RetrievalOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<RetrievalOptions>(Section, configuration)
{
    public const string Section = "Retrieval";

    private static readonly string[] Fusions = ["rrf", "weighted", "zscore"];
    private static readonly string[] Normalisations = ["zscore", "minmax"];
    private static readonly string[] DateHintModes = ["auto", "boost", "filter"];

    protected override void Check(RetrievalOptions options, SettingChecks checks)
    {
        checks.Positive(options.Bm25Candidates);
        checks.Positive(options.DenseCandidates);
        checks.NotNegative(options.RrfK);
        checks.NotNegative(options.Bm25Weight);
        checks.NotNegative(options.DenseWeight);
        checks.OneOf(options.Fusion, Fusions);
        checks.NotNegative(options.SectionBoost);

        checks.Between(options.RouteIdentifierBm25Share, 0, 1);
        checks.Between(options.RouteCodeBm25Share, 0, 1);
        checks.Between(options.RouteKeywordBm25Share, 0, 1);
        checks.Between(options.RouteQuestionBm25Share, 0, 1);

        checks.Positive(options.PrfDocuments);
        checks.Positive(options.PrfTerms);
        checks.NotNegative(options.PrfWeight);

        checks.Positive(options.SecondStageCandidates);
        checks.OneOf(options.SecondStageModel, ["auto", "none", "", .. ModelRegistry.All.Select(m => m.Name)]);
        checks.Positive(options.SecondStageIngestSlice);
        checks.NotNegative(options.SecondStageBm25Weight);
        checks.NotNegative(options.SecondStageDenseWeight);
        checks.NotNegative(options.SecondStageSecondDenseWeight);
        checks.OneOf(options.SecondStageNormalisation, Normalisations);

        checks.NotNegative(options.RewriteWeight);
        checks.Positive(options.RewriteCandidates);
        checks.NotNegative(options.RewriteParaphrases);
        checks.Positive(options.RewriteBudgetMs);

        checks.Positive(options.LlmRerankCandidates);
        checks.Positive(options.LlmRerankPassageChars);
        checks.Positive(options.LlmRerankBudgetMs);

        checks.OneOf(options.DateHintMode, DateHintModes);
        checks.NotNegative(options.DateBoost);

        CrossEncoderFolderCheck.Check(options.RerankerModelPath, checks, nameof(options.RerankerModelPath));
        checks.Positive(options.RerankCandidates);
        checks.Positive(options.RerankBudgetMs);

        checks.Between(options.DuplicateThreshold, 0, 1);
        checks.Positive(options.DuplicateWindow);
        checks.Between(options.MmrLambda, 0, 1);
        checks.Positive(options.MmrWindow);
    }
}
