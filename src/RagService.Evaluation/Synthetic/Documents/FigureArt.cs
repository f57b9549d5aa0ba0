namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// Draws a figure's picture: a plain bar chart, or a busy illustration (hatching, scattered marks, outlined
/// shapes) of the kind that OCR misreads as words when it sits beside the text on a scanned page.
/// </summary>
public static class FigureArt
{
    public static GrayImage Draw(int seed, bool busy, int width = 480, int height = 300)
    {
        var random = new Random(seed);
        var image = new GrayImage(width, height);
        image.Fill(0, 0, width, height, 255);
        image.Fill(20, height - 30, width - 10, height - 27, 30);
        image.Fill(20, 10, 23, height - 27, 30);
        var bars = 4 + random.Next(5);
        var slot = (width - 50) / bars;
        for (var b = 0; b < bars; b++)
        {
            var top = 20 + random.Next(height - 70);
            var x = 35 + (b * slot);
            image.Fill(x, top, x + (slot * 2 / 3), height - 30, (byte)(60 + random.Next(140)));
        }

        if (!busy)
        {
            return image;
        }

        for (var i = 0; i < 260; i++)
        {
            // Short strokes and small blobs at text size: what a recogniser takes for letters.
            int x = random.Next(width - 12), y = random.Next(height - 12);
            if (random.Next(2) == 0)
            {
                image.Fill(x, y, x + 2 + random.Next(10), y + 2, 20);
            }
            else
            {
                image.Fill(x, y, x + 2, y + 3 + random.Next(9), 20);
            }
        }

        for (var d = -height; d < width; d += 9)
        {
            for (var t = 0; t < height / 3; t++)
            {
                var x = d + t;
                if (x >= 0 && x < width)
                {
                    image[x, t] = 40;
                }
            }
        }

        return image;
    }
}
