import { registerDecorator, type ValidationOptions } from 'class-validator';

/** The longest emoji sequence taken (family and flag sequences run to about 30 code units). */
const MAX_EMOJI_LENGTH = 48;
const SHORT_NAME = /^:[a-z0-9_+-]{1,32}:$/;
// Only what emoji are made of: pictographs and their components (skin tones, joiners, variation
// selectors, keycaps, regional indicators, tag letters), so no letter or combining mark rides along.
const EMOJI_PARTS = /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200D|\uFE0F|\u20E3)+$/u;
const PICTURE = /\p{Extended_Pictographic}|^\p{Regional_Indicator}{2}$|^[#*0-9]\uFE0F?\u20E3$/u;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** One emoji grapheme, or a `:short_name:` of 1–32 `[a-z0-9_+-]`. */
export function isReactionEmoji(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (SHORT_NAME.test(value)) return true;
  if (value.length > MAX_EMOJI_LENGTH || !EMOJI_PARTS.test(value) || !PICTURE.test(value)) {
    return false;
  }
  const [first, second] = graphemes.segment(value);
  return first !== undefined && second === undefined;
}

export function IsReactionEmoji(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isReactionEmoji',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: 'emoji must be one emoji or a :short_name: of 1–32 [a-z0-9_+-]',
        ...options,
      },
      validator: { validate: isReactionEmoji },
    });
}
