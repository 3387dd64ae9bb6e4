"""The field's vocabulary for search: acronyms and the words they stand for, used both ways.

Each line is one term in the forms a reader may type or a title may use, separated by
"|": `search rope` finds "Rotary Positional Encoding Explained", and `search rotary
position embedding` finds a link titled "RoPE in 5 minutes". Kept small and reviewed:
only terms of the field that are well known and not ambiguous inside it. Stop words
("of", "from", ...) in a form are ignored, as in a query. Imported by search only.
"""

from __future__ import annotations

TERMS = (
    # Model architecture
    "rope | rotary positional encoding | rotary position embedding | rotary embedding"
    " | rotational positional encoding",
    "attn | attention",
    "mha | multi head attention | multihead attention",
    "mqa | multi query attention",
    "gqa | grouped query attention",
    "mla | multi head latent attention",
    "flashattention | flash attention | flash attn | flashattn",
    "fa2 | flashattention2 | flashattention 2 | flash attention 2 | flash attn 2",
    "kv cache | kvcache | key value cache | kv caching",
    "moe | mixture of experts",
    "mlp | multi layer perceptron | multilayer perceptron",
    "ffn | feed forward network | feedforward network",
    "layernorm | layer norm | layer normalization | layer normalisation",
    "rmsnorm | rms norm | root mean square normalization",
    "bpe | byte pair encoding",
    "ssm | state space model",
    "rnn | recurrent neural network",
    "cnn | convolutional neural network",
    "vit | vision transformer",
    "gpt | generative pretrained transformer | generative pre trained transformer",
    "bert | bidirectional encoder representations from transformers",
    "llm | large language model",
    "slm | small language model",
    "vlm | vision language model",
    "nlp | natural language processing",
    # Training and fine-tuning
    "finetuning | fine tuning",
    "sft | supervised fine tuning | supervised finetuning",
    "peft | parameter efficient fine tuning | parameter efficient finetuning",
    "lora | low rank adaptation",
    "qlora | quantized lora | quantized low rank adaptation",
    "rl | reinforcement learning",
    "rlhf | reinforcement learning from human feedback",
    "rlaif | reinforcement learning from ai feedback",
    "dpo | direct preference optimization | direct preference optimisation",
    "orpo | odds ratio preference optimization | odds ratio preference optimisation",
    "ppo | proximal policy optimization | proximal policy optimisation",
    "grpo | group relative policy optimization | group relative policy optimisation",
    "kd | knowledge distillation",
    "fsdp | fully sharded data parallel",
    "ddp | distributed data parallel",
    "mtp | multi token prediction",
    "ntp | next token prediction",
    # Quantization and inference
    "ptq | post training quantization | post training quantisation",
    "awq | activation aware weight quantization | activation aware quantization",
    "qat | quantization aware training | quantisation aware training",
    "rag | retrieval augmented generation",
    "speculative decoding | spec decoding | assisted generation",
    "cot | chain of thought",
    "icl | in context learning",
    # Interpretability and merging
    "sae | sparse autoencoder | sparse auto encoder",
    "slerp | spherical linear interpolation",
    # Speech and hardware
    "asr | automatic speech recognition | speech recognition",
    "tts | text to speech",
    "gpu | graphics processing unit",
    "tpu | tensor processing unit",
    "jit | just in time",
    "xla | accelerated linear algebra",
    "gradient checkpointing | activation checkpointing",
)
