import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { PointerMarks } from '../pointer-marks';
import { DeliveryMark } from './delivery-mark.schema';

/** The delivery marks collection (a member's delivered pointer): the only class that touches it. */
@Injectable()
export class DeliveryMarksRepository extends PointerMarks {
  constructor(@InjectModel(DeliveryMark.name) marks: Model<DeliveryMark>) {
    super(marks);
  }
}
