/**
 * The corpus files whose layers are all BVLC Caffe's, exported and run under real PyTorch (the
 * run is described in corpus-census.ts; corpus-export-forks.test.ts has the other half).
 */
import { corpusSuite } from "./corpus-census.js";

corpusSuite("bvlc");
