import { Schema, SchemaFactory } from '@nestjs/mongoose';
import { ReadMark } from '../read-marks/read-mark.schema';

/**
 * A delivered pointer (the member's clients hold every message up to it) is the highest of the
 * member's delivery marks, kept exactly as read marks are (see ReadMark).
 */
@Schema({ collection: 'deliverymarks', versionKey: false })
export class DeliveryMark extends ReadMark {}

export const DeliveryMarkSchema = SchemaFactory.createForClass(DeliveryMark);
DeliveryMarkSchema.index({ conversationId: 1, userId: 1, seq: -1 }, { unique: true });
