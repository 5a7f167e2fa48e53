/** The slice of dcmjs the tests use to write DICOM files (dcmjs ships no type declarations). */
declare module 'dcmjs' {
  interface DicomDictInstance { dict: Record<string, unknown>, write (): ArrayBuffer }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance
      DicomMetaDictionary: { denaturalizeDataset (dataset: Record<string, unknown>): Record<string, unknown> }
    }
  }
  export default dcmjs
}
