using System.Text.RegularExpressions;
using RagService.Core.Answers;
using RagService.Generation.Extractive;

namespace RagService.Generation.Tests.Extractive;

public sealed partial class ExtractiveAnswerGeneratorTests
{
    private static readonly RagService.Core.Chunks.Chunk Solar = TestHits.Chunk(
        "solar",
        "Renewable energy is growing fast. Solar panels convert sunlight into electricity using photovoltaic cells. They need little maintenance.",
        "energy-guide");

    private static readonly RagService.Core.Chunks.Chunk Wind = TestHits.Chunk(
        "wind",
        "Wind turbines convert the kinetic energy of wind into electricity. Offshore farms are larger.",
        "wind-report");

    private static readonly RagService.Core.Chunks.Chunk Eiffel = TestHits.Chunk(
        "eiffel",
        "Paris has many monuments. The Eiffel Tower was completed in 1889 for the World's Fair. It is 330 metres tall.",
        "paris");

    private readonly ExtractiveAnswerGenerator generator = new();

    [Fact]
    public async Task The_answer_sentence_is_quoted_verbatim_from_a_source_with_its_marker()
    {
        var answer = await generator.GenerateAsync("When was the Eiffel Tower completed?", TestHits.Ranked(Solar, Eiffel), CancellationToken.None);

        Assert.False(answer.NoAnswer);
        Assert.Equal("extractive", answer.GeneratedBy);
        Assert.StartsWith("The Eiffel Tower was completed in 1889 for the World's Fair. [1]", answer.Text);
        var citation = answer.Citations[0];
        Assert.Equal((1, "eiffel", "paris"), (citation.Marker, citation.ChunkId, citation.DocumentId));
        Assert.Equal("The Eiffel Tower was completed in 1889 for the World's Fair.", citation.Snippet);
    }

    [Fact]
    public async Task Every_quoted_sentence_appears_verbatim_in_the_chunk_its_marker_cites()
    {
        var hits = TestHits.Ranked(Solar, Wind, Eiffel);

        var answer = await generator.GenerateAsync("How do solar panels and wind turbines produce electricity?", hits, CancellationToken.None);

        var quoted = Quotes(answer);
        Assert.NotEmpty(quoted);
        foreach (var (sentence, marker) in quoted)
        {
            var cited = Assert.Single(answer.Citations, c => c.Marker == marker);
            var chunk = Assert.Single(hits, h => h.Chunk.Id == cited.ChunkId).Chunk;
            Assert.Contains(sentence, chunk.Text, StringComparison.Ordinal);
            Assert.Contains(sentence, cited.Snippet, StringComparison.Ordinal);
        }

        // Nothing but quoted sentences and markers: removing them leaves only the joining spaces.
        var rest = answer.Text;
        foreach (var (sentence, marker) in quoted)
        {
            rest = rest.Replace($"{sentence} [{marker}]", string.Empty, StringComparison.Ordinal);
        }

        Assert.True(string.IsNullOrWhiteSpace(rest), rest);
    }

    [Fact]
    public async Task Markers_number_the_distinct_chunks_in_order_of_first_use_and_cite_their_provenance()
    {
        var answer = await generator.GenerateAsync("How do solar panels and wind turbines produce electricity?", TestHits.Ranked(Solar, Wind), CancellationToken.None);

        Assert.Equal(
            "Solar panels convert sunlight into electricity using photovoltaic cells. [1] Wind turbines convert the kinetic energy of wind into electricity. [2]",
            answer.Text);
        Assert.Equal(["solar", "wind"], answer.Citations.Select(c => c.ChunkId));
        Assert.Equal([1, 2], answer.Citations.Select(c => c.Marker));
        var wind = answer.Citations[1];
        Assert.Equal(("wind-report", "wind-report.pdf", "Title of wind-report"), (wind.DocumentId, wind.FileName, wind.Title));
        Assert.Equal(["Chapter 1", "Section wind"], wind.SectionPath);
        Assert.Equal((3, 4), (wind.PageStart, wind.PageEnd));
        Assert.Equal(0.9f, wind.Score, 5);
    }

    [Fact]
    public async Task A_sentence_read_from_a_hits_context_is_cited_to_the_chunk_it_came_from()
    {
        var lead = TestHits.Chunk("lead", "Nightly jobs start at two. Retention is audited yearly.") with { Ordinal = 4, PageStart = 2, PageEnd = 2 };
        var next = TestHits.Chunk("next", "Nightly backups are deleted after 35 days of retention.") with { Ordinal = 5, PageStart = 3, PageEnd = 3 };
        var hit = TestHits.Ranked(lead)[0];
        const string question = "When are nightly backups deleted?";

        var alone = await generator.GenerateAsync(question, [hit], CancellationToken.None);
        var widened = await generator.GenerateAsync(question, [hit with { Context = [lead, next] }], CancellationToken.None);

        Assert.True(alone.NoAnswer);
        Assert.Equal("Nightly backups are deleted after 35 days of retention. [1]", widened.Text);
        var citation = Assert.Single(widened.Citations);
        Assert.Equal("next", citation.ChunkId);
        Assert.Equal(next.SectionPath, citation.SectionPath);
        Assert.Equal(3, citation.PageStart);
        Assert.Equal(hit.Score, citation.Score);
    }

    [Fact]
    public async Task On_equal_evidence_the_hits_own_sentence_beats_its_context()
    {
        var own = TestHits.Chunk("own", "Solar panels convert sunlight into electricity.");
        var neighbour = TestHits.Chunk("neighbour", "Solar cells convert sunlight into electricity.");
        var hit = TestHits.Ranked(own)[0] with { Context = [neighbour, own] };

        var answer = await generator.GenerateAsync("How do solar panels convert sunlight into electricity?", [hit], CancellationToken.None);

        Assert.Equal("own", answer.Citations[0].ChunkId);
    }

    [Fact]
    public async Task An_unrelated_question_gets_the_fixed_no_answer_and_no_citations()
    {
        var answer = await generator.GenerateAsync("What is the boiling point of mercury?", TestHits.Ranked(Solar, Wind, Eiffel), CancellationToken.None);

        Assert.True(answer.NoAnswer);
        Assert.Equal(ExtractiveAnswerGenerator.NoAnswerText, answer.Text);
        Assert.Equal("The indexed documents do not answer this question.", answer.Text);
        Assert.Empty(answer.Citations);
    }

    [Fact]
    public async Task One_shared_word_is_too_weak_to_answer()
    {
        // Only "electricity" is shared; the threshold asks for two content terms.
        var answer = await generator.GenerateAsync("Who regulates electricity prices in Brazil?", TestHits.Ranked(Solar, Wind), CancellationToken.None);

        Assert.True(answer.NoAnswer);
    }

    [Fact]
    public async Task No_hits_means_no_answer()
    {
        var answer = await generator.GenerateAsync("When was the Eiffel Tower completed?", [], CancellationToken.None);

        Assert.True(answer.NoAnswer);
    }

    [Fact]
    public async Task A_sentence_repeated_in_overlapping_chunks_is_quoted_once()
    {
        var first = TestHits.Chunk("a", "The Eiffel Tower was completed in 1889 for the World's Fair.");
        var overlap = TestHits.Chunk("b", "The Eiffel Tower was completed in 1889 for the World's Fair. Gustave Eiffel's company built it.");

        var answer = await generator.GenerateAsync("When was the Eiffel Tower completed?", TestHits.Ranked(first, overlap), CancellationToken.None);

        Assert.Single(Regex.Matches(answer.Text, "completed in 1889"));
    }

    [Fact]
    public async Task Chinese_sources_are_split_at_full_width_marks_and_quoted_verbatim()
    {
        var chunk = TestHits.Chunk("cn", "长城位于中国北方。长城全长约两万一千公里！故宫在北京。");

        var answer = await generator.GenerateAsync("长城全长是多少公里？", TestHits.Ranked(chunk), CancellationToken.None);

        Assert.False(answer.NoAnswer);
        Assert.StartsWith("长城全长约两万一千公里！ [1]", answer.Text);
        Assert.Equal("cn", answer.Citations[0].ChunkId);
    }

    [Fact]
    public async Task A_neighbour_that_only_repeats_the_questions_words_is_not_quoted()
    {
        var first = TestHits.Chunk("a", "Heat pumps save energy by moving heat instead of generating it. Modern heat pumps save energy even in cold climates.");
        var second = TestHits.Chunk("b", "Ground-source heat pumps save energy all year.");

        var answer = await generator.GenerateAsync("How do heat pumps save energy?", TestHits.Ranked(first, second), CancellationToken.None);

        Assert.Equal("Heat pumps save energy by moving heat instead of generating it. [1]", answer.Text);
        Assert.Equal("a", Assert.Single(answer.Citations).ChunkId);
    }

    [Fact]
    public async Task The_sentence_stating_the_fact_wins_over_a_neighbour_sharing_the_topic()
    {
        var air = TestHits.Chunk("air", "Economy class is the standard for all flights. Business class is allowed only for flights longer than eight hours. First class is never reimbursed.")
            with { SectionPath = ["Policy", "3 Air Travel"] };

        var ground = TestHits.Chunk("ground", "Rail is preferred for journeys under four hours. Employees who use their own car are reimbursed at 0.58 USD per mile.")
            with { SectionPath = ["Policy", "4 Ground Transport"] };

        var answer = await generator.GenerateAsync("When can employees fly business class?", TestHits.Ranked(air, ground), CancellationToken.None);

        Assert.Equal("Business class is allowed only for flights longer than eight hours. [1]", answer.Text);
    }

    [Fact]
    public async Task From_a_table_only_the_header_and_the_matching_rows_are_quoted()
    {
        var meals = TestHits.Chunk("meals", """
            The daily meal allowance is 75 USD in most cities.

            | City | Daily meal allowance | Hotel cap per night |
            | --- | --- | --- |
            | New York | 110 USD | 350 USD |
            | London | 95 GBP | 300 GBP |
            | Tokyo | 12000 JPY | 40000 JPY |
            """) with { SectionPath = ["Policy", "5 Meals"] };

        var answer = await generator.GenerateAsync("What is the hotel cap per night in Tokyo?", TestHits.Ranked(meals), CancellationToken.None);

        Assert.Equal("| City | Daily meal allowance | Hotel cap per night |\n| --- | --- | --- |\n| Tokyo | 12000 JPY | 40000 JPY |\n[1]", answer.Text);
        Assert.DoesNotContain("London", answer.Citations[0].Snippet, StringComparison.Ordinal);

        var two = await generator.GenerateAsync("What is the daily meal allowance in London and in New York?", TestHits.Ranked(meals), CancellationToken.None);
        Assert.Contains("| New York | 110 USD | 350 USD |\n| London | 95 GBP | 300 GBP |", two.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Tokyo", two.Text, StringComparison.Ordinal);
        Assert.Equal(1, two.Text.Split("| City |").Length - 1);
    }

    [Fact]
    public async Task Evidence_is_taken_from_lower_hits_and_headings_are_never_quoted_as_answers()
    {
        var title = TestHits.Chunk("title", "AquaPure 300 Water Purifier User Manual\n\nKeep the purifier away from frost.") with { Title = "AquaPure 300 Water Purifier User Manual", SectionPath = ["1 Safety"] };
        var mounting = TestHits.Chunk("mount", "2.1 Wall Mounting\n\nUse the four M6 screws supplied in the box.") with { SectionPath = ["2 Installation", "2.1 Wall Mounting"] };

        var answer = await generator.GenerateAsync("Which screws are used for wall mounting?", TestHits.Ranked(title, mounting), CancellationToken.None);
        var manufacturer = await generator.GenerateAsync("Where is the AquaPure 300 water purifier manufactured?", TestHits.Ranked(title, mounting), CancellationToken.None);

        Assert.Equal("Use the four M6 screws supplied in the box. [1]", answer.Text);
        Assert.Equal("mount", answer.Citations[0].ChunkId);
        Assert.True(manufacturer.NoAnswer);
    }

    [Fact]
    public async Task A_chunk_without_page_boxes_is_cited_by_its_section_alone()
    {
        var docx = TestHits.Chunk("docx", "Backups are kept for 35 days.") with { FileName = "policy.docx", Boxes = [] };

        var citation = Assert.Single((await generator.GenerateAsync("How long are backups kept?", TestHits.Ranked(docx), CancellationToken.None)).Citations);

        Assert.Null(citation.PageStart);
        Assert.Null(citation.PageEnd);
        Assert.Equal(docx.SectionPath, citation.SectionPath);
    }

    private static List<(string Sentence, int Marker)> Quotes(Answer answer) =>
        QuotePattern().Matches(answer.Text).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value))).ToList();

    [GeneratedRegex(@"(.+?) \[(\d+)\](?: |$)")]
    private static partial Regex QuotePattern();
}
