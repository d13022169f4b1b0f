/**
 * Domain-free text learning: features for Chinese and English text, TF-IDF, a one-vs-rest linear
 * SVM. No model weights or data are fetched; everything is trained from what the caller passes in.
 * See README.md.
 */
export { textFeatures, words, normaliseText, type TextFeatureOptions } from './text-features.js';
export { TfidfVectorizer, dot, sparseDot, squaredNorm, type SparseVector, type TfidfState, type TfidfOptions } from './tfidf.js';
export { trainLinearSvm, LinearModel, TrainingError, type LabelledExample, type LinearSvmOptions, type LinearModelState } from './linear-svm.js';
export { tonelessPinyin } from './pinyin.js';
