using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// A document's outline and page images (<c>…/documents/{id}/outline</c>, <c>…/pages/{n}</c>): behind the reader
/// role and the document's ACL, in the frame of the chunks' boxes, in OpenAPI.
/// </summary>
public sealed class DocumentPagesApiTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_reader_who_may_open_the_document_gets_its_outline_and_page_images_and_anyone_else_a_404()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var pdf = _dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        var notes = _dir.File("notes.md");
        await System.IO.File.WriteAllTextAsync(notes, "# Notes\n\nThe canteen opens at noon.\n");
        using (var form = new MultipartFormDataContent())
        {
            form.Add(FileContent(pdf), "files", "handbook.pdf");
            form.Add(FileContent(notes), "files", "notes.md");
            form.Add(new StringContent("handbook"), "documentId");
            form.Add(new StringContent("notes"), "documentId");
            form.Add(new StringContent("group:ops"), "acl");
            form.Add(new StringContent("group:ops"), "acl");
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/v1/indexes/kb/documents", form)).StatusCode);
        }

        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "handbook")).GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "notes")).GetProperty("status").GetString());
        var ops = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader", "olga", ["ops"]));
        var outsider = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader", "otto", ["sales"]));

        var outline = await ops.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/handbook/outline", RagApiHost.Json);
        Assert.Equal(TestDocuments.PdfPageCount, outline.GetProperty("pageCount").GetInt32());
        var pages = outline.GetProperty("pages").EnumerateArray().ToList();
        Assert.Equal(TestDocuments.PdfPageCount, pages.Count);
        Assert.All(pages, p => Assert.Equal((595, 842), ((int)Math.Round(p.GetProperty("width").GetDouble()), (int)Math.Round(p.GetProperty("height").GetDouble()))));
        var headings = outline.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "heading").ToList();
        var backup = Assert.Single(headings, h => h.GetProperty("text").GetString() == TestDocuments.PdfBackupHeading);
        Assert.Equal(TestDocuments.PdfBackupPage, backup.GetProperty("pageStart").GetInt32());
        Assert.True(backup.GetProperty("box").GetProperty("top").GetDouble() is > 0 and <= 842);
        Assert.Equal(JsonValueKind.Null, outline.GetProperty("ocrConfidence").ValueKind); // a text PDF: nothing was read by OCR

        // The page image is in the frame of the boxes: at 72 dpi one pixel is one point.
        var image = await ops.GetAsync($"/v1/indexes/kb/documents/handbook/pages/{TestDocuments.PdfBackupPage}?dpi=72");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal((595, 842), PngSize(await image.Content.ReadAsByteArrayAsync()));
        var sharper = await ops.GetByteArrayAsync("/v1/indexes/kb/documents/handbook/pages/1?dpi=144");
        Assert.InRange(PngSize(sharper).Width, 1190, 1191);
        Assert.InRange(PngSize(sharper).Height, 1683, 1684);

        // The chunks' boxes lie on those pages.
        var chunks = (await ops.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/handbook/chunks", RagApiHost.Json)).GetProperty("chunks").EnumerateArray().ToList();
        var boxes = chunks.SelectMany(c => c.GetProperty("boxes").EnumerateArray()).ToList();
        Assert.NotEmpty(boxes);
        Assert.All(boxes, b => Assert.True(b.GetProperty("left").GetDouble() >= 0 && b.GetProperty("right").GetDouble() <= 595
            && b.GetProperty("bottom").GetDouble() >= 0 && b.GetProperty("top").GetDouble() <= 842 && b.GetProperty("page").GetInt32() is >= 1 and <= 3));

        // Not this reader's document: exactly what a document that does not exist answers.
        foreach (var path in new[] { "handbook/outline", "handbook/pages/1", "missing/outline", "missing/pages/1" })
        {
            var response = await outsider.GetAsync($"/v1/indexes/kb/documents/{path}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("Document not found", (await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("title").GetString());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.ClientWithKey(null).GetAsync("/v1/indexes/kb/documents/handbook/pages/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/v1/indexes/kb/documents/handbook/pages/4")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("/v1/indexes/kb/documents/notes/pages/1")).StatusCode); // Markdown has no pages
        Assert.Empty((await ops.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/notes/outline", RagApiHost.Json)).GetProperty("pages").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await ops.GetAsync("/v1/indexes/kb/documents/handbook/pages/1?dpi=2000")).StatusCode);

        var openApi = await admin.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/indexes/{index}/documents/{documentId}/outline", out _));
        Assert.True(paths.TryGetProperty("/v1/indexes/{index}/documents/{documentId}/pages/{page}", out _));
    }

    [Fact]
    public async Task A_scanned_png_is_its_own_page_image_with_its_ocr_confidence_in_the_outline()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var scan = ScannedPng.Write(_dir.File("parking.png"), dpi: 150);
        await RagApiHost.UploadAsync(admin, "kb", (scan, "parking"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "parking")).GetProperty("status").GetString());

        var outline = await admin.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/parking/outline", RagApiHost.Json);
        var page = Assert.Single(outline.GetProperty("pages").EnumerateArray().ToList());
        // 150 dpi: the A4 scan is 1240×1754 pixels, 595×842 points.
        Assert.Equal(595, page.GetProperty("width").GetDouble(), 1.0);
        Assert.Equal(842, page.GetProperty("height").GetDouble(), 1.0);
        Assert.True(outline.GetProperty("ocrConfidence").GetDouble() is > 50 and <= 100);

        var image = await admin.GetByteArrayAsync("/v1/indexes/kb/documents/parking/pages/1");
        Assert.Equal(await System.IO.File.ReadAllBytesAsync(scan), image); // the stored scan itself
        var box = (await admin.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/parking/chunks", RagApiHost.Json))
            .GetProperty("chunks")[0].GetProperty("boxes")[0];
        Assert.InRange(box.GetProperty("left").GetDouble(), 40, 80); // the text starts 60 points from the left edge
    }

    [Fact]
    public async Task A_page_image_never_exceeds_the_pixel_limit_a_lower_resolution_is_used_instead()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?> { ["Ocr:MaxPixelsPerPage"] = "1000000" });
        var admin = host.CreateClient();
        await host.CreateIndexAsync(admin, "kb");
        var pdf = _dir.File("handbook.pdf");
        TestDocuments.WritePdf(pdf);
        await RagApiHost.UploadAsync(admin, "kb", (pdf, "handbook"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(admin, "kb", "handbook")).GetProperty("status").GetString());

        // 300 dpi would be 2480×3508 pixels (8.7 megapixels); the limit of one megapixel gives about 101 dpi.
        var (width, height) = PngSize(await admin.GetByteArrayAsync("/v1/indexes/kb/documents/handbook/pages/1?dpi=300"));
        Assert.True((long)width * height <= 1_000_000, $"{width}×{height}");
        Assert.InRange(width, 800, 842);
    }

    private static ByteArrayContent FileContent(string path)
    {
        var content = new ByteArrayContent(System.IO.File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    /// <summary>Width and height from a PNG's IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    public void Dispose() => _dir.Dispose();
}
