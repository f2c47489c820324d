"""The hand-written relevance judgements (see README.md); writes judgements.json beside this file.

    python benchmarks/relevance/build.py
"""
import json, random, os
HERE = os.path.dirname(os.path.abspath(__file__))
P = os.path.join(HERE, "..", "..", "content", "papers")
slugs = {f[:-3] for f in os.listdir(P) if f.endswith(".md")}

# query -> (why, {neighbour: (grade, note)})
Q = {}
def q(slug, why, **rel):
    Q[slug] = (why, rel)

# short aliases for long slugs
S = {
 "a2sf": "a2sf-accumulative-attention-scoring-with-forgetting-factor-for-token-pruning-in",
 "lazy": "lazyeviction-lagged-kv-eviction-with-attention-pattern-observation-for",
 "sirllm": "sirllm-streaming-infinite-retentive-llm",
 "craft": "cache-craft-managing-chunk-caches-for-efficient-retrieval-augmented-generation",
 "blend": "cacheblend-fast-large-language-model-serving-for-rag-with-cached-knowledge",
 "kvshare": "kvshare-an-llm-service-system-with-efficient-and-effective-multi-tenant-kv",
 "flex": "flexprefill-a-context-aware-sparse-attention-mechanism-for-efficient-long",
 "prepack": "prepacking-a-simple-method-for-fast-prefilling-and-increased-throughput-in",
 "lemo": "lemo-enabling-less-token-involvement-for-more-context-fine-tuning",
 "lightnet": "you-only-scan-once-efficient-multi-dimension-sequential-modeling-with-lightnet",
 "seqpar": "data-centric-and-heterogeneity-adaptive-sequence-parallelism-for-efficient-llm",
 "effpre": "scalable-parameter-and-memory-efficient-pretraining-for-llm-recent-algorithmic",
 "corag": "corag-a-cost-constrained-retrieval-optimization-system-for-retrieval-augmented",
 "loop": "learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text",
 "rpg": "rethinking-repetition-problems-of-llms-in-code-generation",
 "hyper": "the-hyperfitting-phenomenon-sharpening-and-stabilizing-llms-for-open-ended-text",
 "thesis": "making-the-most-of-your-model-methods-for-finetuning-and-applying-pretrained",
 "lintseq": "training-language-models-on-synthetic-edit-sequences-improves-code-synthesis",
 "coderank": "iterative-self-training-for-code-generation-via-reinforced-re-ranking",
 "codeeval": "evaluating-instruction-tuned-large-language-models-on-code-comprehension-and",
 "smalledits": "small-edits-big-consequences-telling-good-from-bad-robustness-in-large-language",
 "flaws": "inference-scaling-scriptsizeflaws-the-limits-of-llm-resampling-with-imperfect",
 "repdata": "scaling-laws-and-interpretability-of-learning-from-repeated-data",
 "torepeat": "to-repeat-or-not-to-repeat-insights-from-scaling-llm-under-token-crisis",
 "wrap": "rephrasing-the-web-a-recipe-for-compute-and-data-efficient-language-modeling",
 "reweight": "dynamic-loss-based-sample-reweighting-for-improved-large-language-model",
 "trainonce": "train-once-answer-all-many-pretraining-experiments-for-the-cost-of-one",
 "traps": "copyright-traps-for-large-language-models",
 "rrr": "recognition-recall-and-retention-of-few-shot-memories-in-large-language-models",
 "diverse": "diversify-and-conquer-diversity-centric-data-selection-with-iterative-refinement",
 "cotnoise": "understanding-the-effect-of-noise-in-llm-training-data-with-algorithmic-chains",
 "dori": "finding-dori-memorization-in-text-to-image-diffusion-models-is-less-local-than",
 "subspace": "memorized-images-in-diffusion-models-share-a-subspace-that-can-be-located-and",
 "contforget": "practical-continual-forgetting-for-pre-trained-vision-models",
 "powerlaw": "catastrophic-interference-is-mitigated-in-naturalistic-power-law-learning",
 "rest": "do-your-best-and-get-enough-rest-for-continual-learning",
 "assump": "challenging-common-assumptions-about-catastrophic-forgetting",
 "ens": "reward-model-ensembles-help-mitigate-overoptimization",
 "constr": "confronting-reward-model-overoptimization-with-constrained-rlhf",
 "provably": "provably-mitigating-overoptimization-in-rlhf-your-sft-loss-is-implicitly-an",
 "r3": "preference-free-alignment-learning-with-regularized-relevance-reward",
 "trickle": "the-trickle-down-impact-of-reward-in-consistency-on-rlhf",
 "s2srm": "sequence-to-sequence-reward-modeling-improving-rlhf-by-language-feedback",
 "remax": "remax-a-simple-effective-and-efficient-reinforcement-learning-method-for",
 "scir": "self-consistency-of-the-internal-reward-models-improves-self-rewarding-language",
 "cream": "cream-consistency-regularized-self-rewarding-language-models",
 "spar": "spar-self-play-with-tree-search-refinement-to-improve-instruction-following-in",
 "rrpo": "self-alignment-of-large-video-language-models-with-refined-regularized",
 "treg": "t-reg-preference-optimization-with-token-level-reward-regularization",
 "genarm": "genarm-reward-guided-generation-with-autoregressive-reward-model-for-test-time",
 "deal": "deal-decoding-time-alignment-for-large-language-models",
 "awrs": "fast-controlled-generation-from-language-models-with-adaptive-weighted",
 "displace": "unintentional-unalignment-likelihood-displacement-in-direct-preference",
 "antidote": "antidote-post-fine-tuning-safety-alignment-for-large-language-models-against",
 "pasttense": "does-refusal-training-in-llms-generalize-to-the-past-tense",
 "faking": "alignment-faking-in-large-language-models",
 "dler": "dler-doing-length-penalty-right-incentivizing-more-intelligence-per-token-via",
 "hapo": "hapo-training-language-models-to-reason-concisely-via-history-aware-policy",
 "grpol": "stable-reinforcement-learning-for-efficient-reasoning",
 "surrogate": "surrogate-signals-from-format-and-length-reinforcement-learning-for-solving",
 "copo": "copo-consistency-aware-policy-optimization",
 "remix": "squeeze-the-soaked-sponge-efficient-off-policy-reinforcement-finetuning-for",
 "miromind": "miromind-m1-an-open-source-advancement-in-mathematical-reasoning-via-context",
 "decrim": "llm-self-correction-with-decrim-decompose-critique-and-refine-for-enhanced",
 "mdcf": "a-multi-dimensional-constraint-framework-for-evaluating-and-improving",
 "acerl": "ace-rl-adaptive-constraint-enhanced-reward-for-long-form-generation",
 "implicitif": "instruction-following-without-instruction-tuning",
 "zsrobust": "evaluating-the-zero-shot-robustness-of-instruction-tuned-language-models",
 "lcrag": "long-context-llms-meet-rag-overcoming-challenges-for-long-inputs-in-rag",
 "parag": "pa-rag-rag-alignment-via-multi-perspective-preference-optimization",
 "erank": "erank-fusing-supervised-fine-tuning-and-reinforcement-learning-for-effective",
 "fullrank": "sliding-windows-are-not-the-end-exploring-full-ranking-with-long-context-large",
 "genqr": "generative-query-reformulation-using-ensemble-prompting-document-fusion-and",
 "lol": "lol-a-comparative-regularization-loss-over-query-reformulation-losses-for",
 "qbandits": "querybandits-for-hallucination-mitigation-exploiting-semantic-features-for-no",
 "sca": "sorry-come-again-prompting-enhancing-comprehension-and-diminishing",
 "semcons": "semantic-consistency-for-assuring-reliability-of-large-language-models",
 "onevmany": "one-vs-many-comprehending-accurate-information-from-multiple-erroneous-and",
 "hpcr": "hpcr-holistic-proxy-based-contrastive-replay-for-online-continual-learning",
 "onpro": "online-prototype-learning-for-online-continual-learning",
 "uer": "uer-a-heuristic-bias-addressing-approach-for-online-continual-learning",
 "psrd": "prototype-sample-relation-distillation-towards-replay-free-continual-learning",
 "fpf": "does-continual-learning-equally-forget-all-parameters",
 "stabgap": "continual-evaluation-for-lifelong-learning-identifying-the-stability-gap",
 "rfcl": "a-closer-look-at-rehearsal-free-continual-learning",
 "ovor": "ovor-oneprompt-with-virtual-outlier-regularization-for-rehearsal-free-class",
 "cpeclip": "multimodal-parameter-efficient-few-shot-class-incremental-learning",
 "unified": "a-unified-and-general-framework-for-continual-learning",
 "mora": "little-by-little-continual-learning-via-self-activated-sparse-mixture-of-rank",
 "fscl": "few-shot-continual-learning-a-brain-inspired-approach",
 "cfsl": "expanding-continual-few-shot-learning-benchmarks-to-include-recognition-of",
 "contpre": "simple-and-scalable-strategies-to-continually-pre-train-large-language-models",
 "replaygrad": "revisiting-replay-and-gradient-alignment-for-continual-pre-training-of-large",
 "gere": "gere-towards-efficient-anti-forgetting-in-continual-learning-of-llm-via-general",
 "hft": "hft-half-fine-tuning-for-large-language-models",
 "conpet": "conpet-continual-parameter-efficient-tuning-for-large-language-models",
 "rftforget": "reinforcement-fine-tuning-naturally-mitigates-forgetting-in-continual-post",
 "sefe": "sefe-superficial-and-essential-forgetting-eliminator-for-multimodal-continual",
 "cbench": "mllm-cbench-a-comprehensive-benchmark-for-continual-instruction-tuning-of",
 "perp": "perp-rethinking-the-prune-retrain-paradigm-in-the-era-of-llms",
 "atp": "all-in-one-tuning-and-structural-pruning-for-domain-specific-llms",
 "dsee": "dsee-dually-sparsity-embedded-efficient-tuning-of-pre-trained-language-models",
 "nm": "progressive-gradient-flow-for-robust-n-m-sparsity-training-in-transformers",
 "rnnsparse": "investigating-sparsity-in-recurrent-neural-networks",
 "sft": "scaling-sparse-fine-tuning-to-large-language-models",
 "petaug": "effectiveness-of-data-augmentation-for-parameter-efficient-tuning-with-limited",
 "dst": "continual-learning-with-dynamic-sparse-training-exploring-algorithms-for",
 "glad": "glad-generalizable-tuning-for-vision-language-models",
 "coprompt": "consistency-guided-prompt-learning-for-vision-language-models",
 "pisa": "transformers-meet-act-r-repeat-aware-and-sequential-listening-session",
 "recsys18": "an-analysis-of-approaches-taken-in-the-acm-recsys-challenge-2018-for-automatic",
 "m2trec": "m2trec-metadata-aware-multi-task-transformer-for-large-scale-and-cold-start",
 "recformer": "text-is-all-you-need-learning-language-representations-for-sequential",
 "reg4rec": "reg4rec-reasoning-enhanced-generative-model-for-large-scale-recommendation",
 "llmrec": "llmrec-large-language-models-with-graph-augmentation-for-recommendation",
 "bars": "bars-towards-open-benchmarking-for-recommender-systems",
 "wtb": "weighted-tallying-bandits-overcoming-intractability-via-repeated-exposure",
 "streammab": "tight-regret-bounds-for-single-pass-streaming-multi-armed-bandits",
 "sparsebandit": "does-sparsity-help-in-learning-misspecified-linear-bandits",
 "groupregret": "oracle-efficient-algorithms-for-groupwise-regret",
}
for k, v in S.items():
    assert v in slugs, v

def R(**kw):
    return {S[k]: v for k, v in kw.items()}

q("a2sf", "KV-cache compression for decoder LLMs: token pruning by accumulated attention score with a forgetting factor",
  **R(lazy=(2, "KV-cache eviction driven by observed attention patterns; same narrow problem"),
      sirllm=(1, "streaming LLM that keeps key tokens via entropy + memory decay; long-context memory management, KV not named in abstract"),
      kvshare=(1, "KV-cache management (cross-request reuse) for LLM serving"),
      blend=(1, "KV-cache reuse for RAG chunks; LLM inference efficiency"),
      craft=(1, "KV-cache reuse for RAG chunks; LLM inference efficiency"),
      flex=(1, "attention-score-based sparsity for long-sequence inference"),
      prepack=(1, "LLM prefill/inference efficiency"),
      lemo=(1, "drops redundant tokens to save memory, but in long-context fine-tuning rather than inference")))

q("blend", "Reusing precomputed KV caches of non-prefix text chunks in RAG inputs (selective recompute) for fast LLM serving",
  **R(craft=(2, "manages and reuses chunk KV caches at arbitrary positions in RAG; same narrow problem"),
      kvshare=(2, "cross-request KV-cache reuse with selective recomputation; same narrow problem"),
      prepack=(1, "speeds up prefill; LLM inference efficiency"),
      flex=(1, "speeds up long-input prefill; LLM inference efficiency"),
      a2sf=(1, "KV-cache compression; KV-cache management"),
      lazy=(1, "KV-cache eviction; KV-cache management"),
      sirllm=(1, "long/streaming input handling in LLM inference"),
      corag=(1, "RAG system optimisation of which chunks go into the prompt under a cost budget")))

q("flex", "Context-aware sparse attention to speed up the prefill phase of long-sequence LLM inference",
  **R(prepack=(1, "also targets prefill cost (padding waste), different mechanism"),
      a2sf=(1, "attention-score-based token selection; LLM inference efficiency"),
      lazy=(1, "attention-pattern-based KV eviction; LLM inference efficiency"),
      blend=(1, "prefill acceleration via KV reuse; LLM inference efficiency"),
      craft=(1, "prefill savings via chunk-cache reuse; LLM inference efficiency"),
      kvshare=(1, "KV reuse to cut time-to-first-token; LLM inference efficiency"),
      sirllm=(1, "long/streaming input handling for LLMs"),
      lemo=(1, "contextual token sparsity for long-context (fine-tuning) efficiency"),
      lightnet=(1, "efficient attention alternative (linear attention) for long sequences")))

q("seqpar", "Adaptive sequence parallelism for heterogeneous sequence lengths in long-context LLM training",
  **R(lemo=(1, "system for memory-efficient long-context LLM fine-tuning"),
      effpre=(1, "memory/compute-efficient LLM pre-training"),
      prepack=(1, "handles variable sequence lengths efficiently (inference, bin-packing)")))

q("loop", "Sentence-level repetition loops in neural text generation: self-reinforcement analysis and a training-based fix",
  **R(hyper=(2, "repetitive/dull greedy generation fixed by hyperfitting; same narrow problem"),
      rpg=(2, "repetition problems in LLM code generation; same narrow problem"),
      thesis=(1, "conditional beam search avoiding degenerate/repetitive outputs; likelihood vs quality")))

q("rpg", "Structural repetition in LLM code generation, mitigated by grammar-based repetition penalisation at decoding",
  **R(loop=(2, "repetition loops in text generation; same narrow problem"),
      hyper=(2, "repetitive degeneration in open-ended generation; same narrow problem"),
      thesis=(1, "decoding that avoids degenerate/repetitive outputs"),
      lintseq=(1, "improving LLM code synthesis"),
      coderank=(1, "improving LLM code generation quality via reranking"),
      codeeval=(1, "evaluation of LLMs on code generation"),
      flaws=(1, "sampling-based code generation with unit tests"),
      smalledits=(1, "robustness of LLM code generation")))

q("repdata", "Effect of repeating a small fraction of pre-training data: double descent, degradation, mechanistic interpretation",
  **R(torepeat=(2, "consequences of repeating pre-training data for multiple epochs; same narrow problem"),
      wrap=(1, "data-efficient LM pre-training under limited high-quality data"),
      reweight=(1, "pre-training data weighting, deprioritising redundant samples"),
      trainonce=(1, "controlled pre-training experiments on memorisation/contamination"),
      traps=(1, "repeated trap sequences in training data and memorisation"),
      rrr=(1, "how many exposures an LM needs to memorise examples")))

q("wrap", "Pre-training on LLM-rephrased web text for compute- and data-efficient language modelling",
  **R(torepeat=(1, "pre-training under token scarcity (repeating data)"),
      repdata=(1, "effects of pre-training data repetition"),
      reweight=(1, "improving pre-training via data reweighting"),
      diverse=(1, "training-data selection for LLMs (instruction tuning)"),
      cotnoise=(1, "effect of training-data noise/quality on LLMs")))

q("traps", "Injecting repeated fictitious 'trap' sequences into documents to detect their use in LLM training",
  **R(rrr=(1, "recognition of seen vs unseen training examples after few exposures"),
      trainonce=(1, "pre-training experiments on contamination, memorisation and watermarking"),
      repdata=(1, "repeated training data and memorisation"),
      dori=(1, "training-data memorisation/copyright in generative (diffusion) models"),
      subspace=(1, "training-data memorisation/copyright in diffusion models")))

q("dori", "Memorisation in text-to-image diffusion models is not localised; weight-pruning mitigations can be bypassed",
  **R(subspace=(2, "locating and deleting memorisation in diffusion-model weights; same narrow problem"),
      traps=(1, "training-data memorisation and copyright in LLMs"),
      contforget=(1, "erasing unwanted information from pre-trained vision models")))

q("rrr", "How LLMs recognise, recall and retain examples seen only a few times during continued training",
  **R(traps=(1, "memorisation/detection of training content vs number of repetitions"),
      repdata=(1, "repetition frequency and memorisation in LM training"),
      trainonce=(1, "controlled pre-training studies of memorisation and knowledge acquisition"),
      powerlaw=(1, "forgetting under sequential training framed by human memory statistics"),
      rest=(1, "forgetting-curve-inspired retention in continual learning"),
      assump=(1, "knowledge retention/accumulation under repeated exposure in sequential training")))

q("ens", "Reward-model ensembles (worst-case / uncertainty-weighted) to mitigate reward overoptimisation in BoN and PPO",
  **R(constr=(2, "reward-model overoptimisation in composite RMs; same narrow problem"),
      provably=(2, "provable mitigation of RLHF overoptimisation; same narrow problem"),
      r3=(1, "reward hacking of a preference-free reward; robust reward design"),
      trickle=(1, "reward-model flaws (inconsistency) propagating into RLHF"),
      s2srm=(1, "improving reward modelling for RLHF"),
      remax=(1, "RLHF policy optimisation algorithm")))

q("trickle", "Measuring reward-model (in)consistency on contrast instructions and its downstream effect on RLHF",
  **R(scir=(1, "inconsistency among internal reward models in self-rewarding LMs"),
      cream=(1, "consistency regularisation of self-rewarding preference data"),
      ens=(1, "imperfect reward models harming RLHF (overoptimisation)"),
      constr=(1, "imperfect reward models harming RLHF (overoptimisation)"),
      provably=(1, "imperfect reward models harming RLHF (overoptimisation)"),
      s2srm=(1, "improving reward models for RLHF")))

q("cream", "Consistency-regularised self-rewarding LMs to avoid accumulated reward bias in iterative DPO",
  **R(scir=(2, "consistency among internal reward models in self-rewarding LMs; same narrow problem"),
      trickle=(1, "reward-model consistency and its effect on alignment"),
      spar=(1, "self-play generation of preference pairs for self-improvement"),
      rrpo=(1, "self-alignment with self-generated preference pairs"),
      treg=(1, "preference optimisation using self-generated token-level rewards")))

q("genarm", "Test-time alignment of frozen LLMs with an autoregressive (next-token) reward model",
  **R(deal=(2, "decoding-time alignment with reward-guided search; same narrow problem"),
      treg=(1, "token-level rewards for preference optimisation"),
      awrs=(1, "controlled/constrained generation at decoding time"),
      ens=(1, "reward-model-guided best-of-n sampling")))

q("displace", "Likelihood displacement in DPO, which can shift mass to opposite/harmful responses and unalign refusals",
  **R(treg=(1, "preference optimisation method (DPO-style) for alignment"),
      rrpo=(1, "regularised preference optimisation method"),
      cream=(1, "iterative DPO on self-generated preferences"),
      antidote=(1, "safety alignment undone by further training"),
      pasttense=(1, "weak generalisation of refusal training")))

q("faking", "Demonstration of an LLM strategically faking alignment during training to preserve its preferences",
  **R(pasttense=(1, "LLM safety: failure of refusal training"),
      antidote=(1, "LLM safety alignment broken by fine-tuning"),
      displace=(1, "alignment training can unintentionally unalign refusals")))

q("pasttense", "Past-tense reformulation of harmful requests jailbreaks refusal-trained LLMs",
  **R(antidote=(1, "vulnerability of LLM safety alignment (harmful fine-tuning)"),
      faking=(1, "LLM safety/alignment behaviour"),
      displace=(1, "refusal alignment undermined by preference training")))

q("dler", "RL with a simple truncation length penalty, done right, for concise reasoning ('intelligence per token')",
  **R(hapo=(2, "RL length reward for concise reasoning; same narrow problem"),
      grpol=(2, "stabilising length-penalty RL for efficient reasoning; same narrow problem"),
      surrogate=(1, "GRPO with length-based surrogate rewards for math"),
      copo=(1, "GRPO-style RL for LLM reasoning"),
      remix=(1, "efficient RL fine-tuning for LLM reasoning"),
      miromind=(1, "RL training of reasoning LMs for math")))

q("copo", "Consistency-aware policy optimisation to avoid vanishing group advantages in GRPO-style RL for reasoning",
  **R(dler=(1, "RL for reasoning LMs (includes dynamic sampling for zero-advantage groups)"),
      grpol=(1, "GRPO variant for reasoning"),
      hapo=(1, "policy optimisation for reasoning LMs"),
      surrogate=(1, "GRPO with alternative reward signals"),
      remix=(1, "RL fine-tuning for LLM reasoning"),
      miromind=(1, "RL training of reasoning LMs")))

q("remix", "Off-policy reinforcement fine-tuning (ReMix) to make PPO/GRPO training of reasoning LLMs more efficient",
  **R(remax=(1, "more efficient RL algorithm for LLM fine-tuning"),
      copo=(1, "RL for LLM reasoning"),
      dler=(1, "RL for LLM reasoning"),
      hapo=(1, "RL for LLM reasoning"),
      grpol=(1, "RL for LLM reasoning"),
      surrogate=(1, "RL for LLM reasoning"),
      miromind=(1, "RL for LLM reasoning")))

q("decrim", "Benchmark of real multi-constraint instructions and a decompose-critique-refine self-correction pipeline",
  **R(mdcf=(2, "multi-constraint instruction-following benchmark and improvement; same narrow problem"),
      spar=(2, "self-refinement to improve instruction following; same narrow problem"),
      acerl=(1, "decomposes instructions into constraint criteria used as rewards"),
      implicitif=(1, "instruction-following behaviour of LMs"),
      zsrobust=(1, "robustness of instruction-tuned models to instruction phrasing")))

q("acerl", "RL for long-form generation with rewards from adaptive, instruction-derived constraint checklists",
  **R(decrim=(1, "decomposing instructions into constraints and checking them"),
      mdcf=(1, "constraint-based instruction following"),
      spar=(1, "preference learning to improve instruction following"),
      r3=(1, "alternative (non-preference) reward design for alignment")))

q("lcrag", "Long-context LLMs in RAG degrade with more retrieved passages (hard negatives); reordering and RAG fine-tuning",
  **R(corag=(2, "chunk utility is non-monotonic in the number of chunks; choosing which chunks to include; same narrow problem"),
      parag=(1, "training the RAG generator for robustness"),
      erank=(1, "reranking retrieved documents for RAG"),
      fullrank=(1, "long-context LLMs over many passages (ranking)"),
      blend=(1, "RAG with multiple chunks (serving efficiency)"),
      craft=(1, "RAG with multiple chunks (serving efficiency)")))

q("erank", "Pointwise LLM text reranker trained with SFT then RL on a listwise-derived reward",
  **R(fullrank=(2, "LLM passage reranking; same narrow problem"),
      genqr=(1, "LLMs for retrieval (query reformulation)"),
      lol=(1, "neural retrieval improvement (pseudo-relevance feedback)"),
      lcrag=(1, "retrieved-passage selection/ordering for RAG"),
      corag=(1, "selecting retrieved chunks for RAG")))

q("genqr", "Ensemble-prompted LLM query reformulation with document fusion and relevance feedback for retrieval",
  **R(lol=(2, "query reformulation via pseudo-relevance feedback; same narrow problem"),
      erank=(1, "LLM-based reranking for retrieval"),
      fullrank=(1, "LLM-based passage ranking"),
      qbandits=(1, "LLM query rewriting strategies, though aimed at hallucination rather than retrieval")))

q("sca", "Prompting with paraphrasing and [PAUSE] tokens to improve comprehension and reduce LLM hallucination",
  **R(qbandits=(2, "rewriting input queries using linguistic features to reduce hallucination; same narrow problem"),
      semcons=(1, "LLM reliability and prompting under semantically equivalent prompts"),
      onevmany=(1, "hallucinated/inconsistent LLM outputs"),
      zsrobust=(1, "sensitivity of LLMs to prompt phrasing")))

q("hpcr", "Proxy-based contrastive replay for online continual learning",
  **R(onpro=(2, "online continual learning with replay; same narrow problem"),
      uer=(2, "online continual learning with replay, bias correction; same narrow problem"),
      psrd=(1, "prototype/contrastive representation learning against forgetting"),
      fpf=(1, "replay-based continual learning"),
      stabgap=(1, "analysis of replay-based CL methods"),
      rfcl=(1, "class-incremental continual learning"),
      ovor=(1, "class-incremental CL; inter-task class confusion")))

q("rfcl", "Rehearsal-free class-incremental continual learning via distillation and L2 regularisation with a pre-trained ViT",
  **R(ovor=(2, "rehearsal-free class-incremental learning with pre-trained ViT prompts; same narrow problem"),
      psrd=(2, "replay-free continual learning via distillation; same narrow problem"),
      cpeclip=(1, "continual learning from a pre-trained model with prompts"),
      unified=(1, "regularisation-based CL (EWC etc.) framework"),
      mora=(1, "continual learning with large pre-trained models")))

q("fscl", "Few-shot continual learning with brain-inspired fast/slow weights",
  **R(cfsl=(2, "continual few-shot learning benchmarks; same narrow problem"),
      cpeclip=(2, "few-shot class-incremental learning; same narrow problem"),
      rest=(1, "cognition-inspired continual learning"),
      powerlaw=(1, "cognition-inspired continual learning")))

q("stabgap", "Per-iteration continual evaluation reveals a transient 'stability gap' in continual learning methods",
  **R(assump=(1, "questions common assumptions about forgetting dynamics"),
      powerlaw=(1, "argues for more realistic evaluation of forgetting"),
      fpf=(1, "analyses forgetting dynamics during CL training"),
      unified=(1, "general continual learning methods")))

q("contpre", "LR re-warming/re-decaying plus replay for continual pre-training of LLMs",
  **R(replaygrad=(2, "replay for continual pre-training of LLMs; same narrow problem"),
      gere=(1, "replay against forgetting in continual LLM training"),
      hft=(1, "forgetting in sequential LLM fine-tuning"),
      conpet=(1, "continual adaptation of LLMs"),
      rftforget=(1, "forgetting in continual post-training")))

q("sefe", "Superficial vs essential forgetting in multimodal continual instruction tuning of MLLMs",
  **R(cbench=(2, "benchmark for continual instruction tuning of MLLMs; same narrow problem"),
      rftforget=(2, "forgetting in continual post-training of MLLMs; same narrow problem"),
      gere=(1, "continual learning of LLMs"),
      mora=(1, "continual learning with pre-trained models via low-rank experts"),
      hft=(1, "forgetting in sequential LLM fine-tuning"),
      conpet=(1, "continual tuning of LLMs")))

q("perp", "Parameter-efficient retraining after pruning LLMs instead of full retraining",
  **R(atp=(2, "joint pruning and fine-tuning of LLMs; same narrow problem"),
      dsee=(2, "combines parameter-efficient updates with pruned (sparse) final weights; same narrow problem"),
      nm=(1, "sparse (N:M) training of transformers"),
      rnnsparse=(1, "pruning/sparsity in neural networks"),
      sft=(1, "sparse parameter-efficient fine-tuning of LLMs")))

q("sft", "Scaling sparse (parameter-subset) fine-tuning to LLMs with prune-and-regrow of delta indices",
  **R(dsee=(2, "sparsity-embedded parameter-efficient fine-tuning; same narrow problem"),
      petaug=(1, "parameter-efficient tuning (LoRA, P-tuning)"),
      perp=(1, "parameter-efficient retraining of pruned LLMs"),
      hft=(1, "updates only a subset of parameters during fine-tuning"),
      effpre=(1, "parameter/memory-efficient LLM training"),
      dst=(1, "dynamic sparse training with prune/regrow")))

q("glad", "LoRA with gradient regularisation for generalisable few-shot tuning of vision-language models",
  **R(coprompt=(2, "regularised few-shot tuning of CLIP-like VLMs against overfitting; same narrow problem"),
      cpeclip=(1, "parameter-efficient prompt tuning of CLIP"),
      petaug=(1, "parameter-efficient tuning in low-data regimes")))

q("pisa", "Repeat-aware, session-level sequential music recommendation with ACT-R-inspired attention",
  **R(recsys18=(2, "sequential music recommendation (playlist continuation); same narrow problem"),
      m2trec=(1, "session-based recommendation"),
      recformer=(1, "sequential recommendation"),
      reg4rec=(1, "sequential recommendation"),
      llmrec=(1, "recommender systems"),
      wtb=(1, "recommendation-motivated bandits with repeated exposure and human memory decay")))

q("recformer", "Item-as-text language representations for sequential recommendation, transferable to cold-start items",
  **R(m2trec=(2, "item-ID-free, metadata-based item representations for cold-start session recommendation; same narrow problem"),
      reg4rec=(1, "sequential (generative) recommendation"),
      pisa=(1, "sequential recommendation"),
      llmrec=(1, "language models for recommendation"),
      recsys18=(1, "sequential recommendation challenge"),
      bars=(1, "recommender-systems benchmarking")))

q("streammab", "Tight regret bounds for single-pass streaming multi-armed bandits with sublinear memory",
  **R(wtb=(1, "multi-armed bandit regret bounds"),
      sparsebandit=(1, "bandit learning theory (sample complexity)"),
      groupregret=(1, "online learning regret guarantees")))

q("flaws", "Limits of inference scaling by resampling when verifiers (unit tests) are imperfect",
  **R(coderank=(1, "selecting among sampled code solutions with a reranker"),
      lintseq=(1, "code synthesis and pass@k inference-time scaling"),
      codeeval=(1, "evaluation of LLMs on code generation"),
      smalledits=(1, "reliability of LLM code generation against tests"),
      rpg=(1, "code generation quality issues"),
      ens=(1, "imperfect proxy reward under best-of-n selection (overoptimisation)")))

# --- swaps to reduce the number of queries that only have grade-1 neighbours
for k in ["remix", "faking", "acerl", "wrap"]:
    Q.pop(k)

q("hapo", "History-aware policy optimisation with a length reward to make reasoning LLMs concise",
  **R(dler=(2, "RL length penalty for concise reasoning; same narrow problem"),
      grpol=(2, "stable length-penalty RL for efficient reasoning; same narrow problem"),
      surrogate=(1, "length-based rewards in GRPO for math"),
      copo=(1, "GRPO-style RL for LLM reasoning"),
      remix=(1, "efficient RL fine-tuning for LLM reasoning"),
      miromind=(1, "RL training of reasoning LMs")))

q("corag", "Cost-constrained selection of chunk combinations for RAG via MCTS, handling non-monotonic chunk utility",
  **R(lcrag=(2, "more retrieved passages can hurt RAG output; deciding which/how many passages to use; same narrow problem"),
      erank=(1, "reranking documents before generation in RAG"),
      fullrank=(1, "LLM passage ranking"),
      parag=(1, "optimising the RAG generator"),
      blend=(1, "RAG with multiple chunks, serving cost"),
      craft=(1, "RAG with multiple chunks, serving cost")))

q("spar", "Self-play with tree-search refinement to build clean preference pairs for instruction following",
  **R(decrim=(2, "LLM self-refinement to satisfy instruction constraints; same narrow problem"),
      mdcf=(2, "evaluating and improving (via RL data) constraint instruction following; same narrow problem"),
      acerl=(1, "constraint-based rewards for instruction-conditioned generation"),
      cream=(1, "iterative self-improvement with self-generated preference pairs"),
      scir=(1, "self-generated preference data for alignment"),
      implicitif=(1, "instruction-following behaviour of LMs")))

q("torepeat", "Repeating pre-training data for multiple epochs under a token crisis: multi-epoch degradation and remedies",
  **R(repdata=(2, "effects of repeated data in LM pre-training; same narrow problem"),
      wrap=(1, "data-efficient pre-training when high-quality web data is scarce"),
      reweight=(1, "pre-training data weighting/redundancy")))

# --- symmetry fixes between query pairs
Q["blend"][1][S["lcrag"]] = (1, "RAG with many retrieved chunks in long inputs (quality rather than speed)")
Q["cream"][1][S["displace"]] = (1, "failure mode of DPO, which CREAM uses iteratively")
Q["ens"][1][S["genarm"]] = (1, "reward-model-guided generation at test time (related to best-of-n)")
for k in ["rfcl", "ovor", "stabgap"]:
    Q["hpcr"][1].pop(S[k])
Q["flaws"][1].pop(S["ens"])

out = {"method": ("Manual judgement by reading titles and full abstracts of all 139 papers (no embeddings/tf-idf). "
                   "2 = same narrow problem, 1 = same sub-area, unlisted = 0. Shared buzzwords alone were not counted."),
       "queries": []}
qs = sorted(S[k] for k in Q)
assert len(qs) == 40 and len(set(qs)) == 40
rnd = random.Random(7)
order = list(qs)
rnd.shuffle(order)
split = {s: ("tune" if i < 25 else "heldout") for i, s in enumerate(order)}
for k, (why, rel) in Q.items():
    s = S[k]
    assert s in slugs
    for n in rel: assert n in slugs and n != s, (s, n)
    out["queries"].append({"slug": s, "split": split[s], "why": why,
        "relevant": {n: g for n, (g, _) in rel.items()},
        "notes": {n: t for n, (_, t) in rel.items()}})
json.dump(out, open(os.path.join(HERE, "judgements.json"), "w"), indent=1)
import collections
c = collections.Counter(g for qq in out["queries"] for g in qq["relevant"].values())
print("queries", len(out["queries"]), "pairs by grade", dict(c), "splits", collections.Counter(split.values()))
print("neighbours per query", sorted(len(qq["relevant"]) for qq in out["queries"]))
print("only grade-1:", [qq["slug"] for qq in out["queries"] if 2 not in qq["relevant"].values()])
