import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A socket request for a page of a conversation (`sync`, `changes`): what the two share. */
export abstract class ConversationPageDto {
  @IsString()
  @MaxLength(64)
  conversationId!: string;

  /** 1–100, default 50; page on from the last returned item while `hasMore`. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
