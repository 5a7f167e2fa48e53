/** Image files the tests write themselves: DICOM with dcmjs (PNG and JPEG come from sharp directly). */
import { writeFileSync } from 'node:fs'
import dcmjs from 'dcmjs'

export interface DicomOptions { rows: number, cols: number, values: (i: number) => number, slope?: string, intercept?: string, centre?: string, width?: string, photometric?: string, transferSyntax?: string }

export function writeDicom (path: string, o: DicomOptions): void {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data
  const px = Uint16Array.from({ length: o.rows * o.cols }, (_, i) => o.values(i))
  const meta = { FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', MediaStorageSOPInstanceUID: '1.2.3.4', TransferSyntaxUID: o.transferSyntax ?? '1.2.840.10008.1.2.1', ImplementationClassUID: '1.2.3.4.5' }
  const ds: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', SOPInstanceUID: '1.2.3.4', Modality: 'DX', Rows: o.rows, Columns: o.cols, BitsAllocated: 16, BitsStored: 16, HighBit: 15,
    PixelRepresentation: 0, SamplesPerPixel: 1, PhotometricInterpretation: o.photometric ?? 'MONOCHROME2', PixelData: [px.buffer], _vrMap: { PixelData: 'OW' },
    ...(o.slope !== undefined ? { RescaleSlope: o.slope, RescaleIntercept: o.intercept ?? '0' } : {}),
    ...(o.centre !== undefined ? { WindowCenter: o.centre, WindowWidth: o.width } : {})
  }
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta))
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds)
  writeFileSync(path, Buffer.from(dict.write()))
}
