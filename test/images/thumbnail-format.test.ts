import { THUMBNAIL_FORMATS } from '../../src/contract/thumbnail-formats';
import { ThumbnailFormat } from '../../src/images/thumbnail-format';

// The public enum (construct side) and the names the image processor accepts (Lambda side, which
// cannot import the construct's files) are two lists: they must stay the same.
test('the ThumbnailFormat enum has exactly the formats the image processor accepts, in the same order', () => {
  expect(Object.values(ThumbnailFormat)).toEqual([...THUMBNAIL_FORMATS]);
});
