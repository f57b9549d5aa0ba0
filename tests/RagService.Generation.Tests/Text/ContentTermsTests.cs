using RagService.Generation.Text;

namespace RagService.Generation.Tests.Text;

public sealed class ContentTermsTests
{
    [Fact]
    public void Stop_words_are_dropped_and_inflections_meet()
    {
        Assert.Equal(["treat", "treat", "treat", "study", "study", "box"], ContentTerms.Extract("What treats, treated and treating the studies of a study's boxes?"));
    }

    [Fact]
    public void Han_runs_become_bigrams_split_at_function_characters()
    {
        Assert.Equal(["长城", "城全", "全长", "多少", "少公", "公里"], ContentTerms.Extract("长城全长是多少公里？"));
    }
}
