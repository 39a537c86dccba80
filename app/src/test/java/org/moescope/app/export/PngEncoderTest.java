package org.moescope.app.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngEncoderTest {

    @Test
    void imageIoDecodesEveryPixelBack() throws Exception {
        int w = 37;
        int h = 11;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            argb[i] = (i * 2654435761L % 256 < 40 ? 0x00 : 0xff) << 24 | (int) (i * 2654435761L & 0xffffff);
        }
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(PngEncoder.encode(argb, w, h)));
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int expected = argb[y * w + x];
                int actual = img.getRGB(x, y);
                if ((expected >>> 24) == 0) {
                    assertEquals(0, actual >>> 24, "transparent at " + x + "," + y);
                } else {
                    assertEquals(expected, actual, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void rejectsWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(new int[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.encode(new int[0], 0, 1));
    }
}
