"""The network: transformers BertModel -> bidirectional LSTM -> mean+max pooling -> linear."""
from __future__ import annotations

from typing import Any, Dict

import torch
from torch import nn
from transformers import BertConfig, BertModel


def compact_bert_config(vocab_size: int, hidden_size: int, num_layers: int, num_heads: int,
                        intermediate_size: int, max_length: int, dropout: float) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_length,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        type_vocab_size=1,
        pad_token_id=0,
    )


class BertBiLstmNet(nn.Module):
    def __init__(self, encoder: BertModel, lstm_hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.encoder = encoder
        self.lstm = nn.LSTM(
            encoder.config.hidden_size, lstm_hidden, batch_first=True, bidirectional=True
        )
        self.dropout = nn.Dropout(dropout)
        # mean and max pooling of both LSTM directions
        self.classifier = nn.Linear(4 * lstm_hidden, num_labels)

    @classmethod
    def from_config(cls, bert_config: BertConfig, lstm_hidden: int, num_labels: int,
                    dropout: float) -> "BertBiLstmNet":
        return cls(BertModel(bert_config, add_pooling_layer=False), lstm_hidden, num_labels, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        lengths = attention_mask.sum(dim=1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(
            hidden, lengths, batch_first=True, enforce_sorted=False
        )
        output, _ = self.lstm(packed)
        output, _ = nn.utils.rnn.pad_packed_sequence(
            output, batch_first=True, total_length=input_ids.shape[1]
        )
        mask = attention_mask.unsqueeze(-1).to(output.dtype)
        mean = (output * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        maxed = output.masked_fill(mask == 0, torch.finfo(output.dtype).min).max(dim=1).values
        return self.classifier(self.dropout(torch.cat([mean, maxed], dim=-1)))


def describe(net: BertBiLstmNet) -> Dict[str, Any]:
    cfg = net.encoder.config
    return {
        "parameters": sum(p.numel() for p in net.parameters()),
        "layers": cfg.num_hidden_layers,
        "hidden": cfg.hidden_size,
        "vocab": cfg.vocab_size,
    }
