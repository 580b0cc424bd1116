import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { PointerMarks } from '../pointer-marks';
import { ReadMark } from './read-mark.schema';

/** The read marks collection (a member's read pointer): the only class that touches it. */
@Injectable()
export class ReadMarksRepository extends PointerMarks {
  constructor(@InjectModel(ReadMark.name) marks: Model<ReadMark>) {
    super(marks);
  }
}
