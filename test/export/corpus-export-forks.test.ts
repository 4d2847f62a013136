/**
 * The corpus files with layers of Caffe's forks or Caffe Python layers (replaced by the stand-ins
 * of corpus_stand_ins.py), exported and run under real PyTorch (the run is described in
 * corpus-census.ts; corpus-export.test.ts has the other half).
 */
import { corpusSuite } from "./corpus-census.js";

corpusSuite("forks");
